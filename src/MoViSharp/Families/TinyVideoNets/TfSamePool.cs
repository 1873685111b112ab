using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// Max or average pooling over (time, height, width) with TF "same" padding (pad_total = max((⌈n/s⌉−1)·s + k − n, 0), the smaller
/// half before), as TVN's spatial and temporal pools use it: max pooling never picks the padding (−∞), average pooling divides by
/// the real cells only. A clip module (TVN is a clip model).
/// </summary>
public sealed class TfSamePool : StreamModule
{
    public bool Max { get; }
    public (int Time, int Height, int Width) Kernel { get; }
    public (int Time, int Height, int Width) Stride { get; }

    public TfSamePool(bool max, (int Time, int Height, int Width) kernel, (int Time, int Height, int Width) stride) : base(nameof(TfSamePool))
    {
        Max = max;
        Kernel = kernel;
        Stride = stride;
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        var (front, back) = SamePadding.For(x.shape[2], Kernel.Time, Stride.Time);
        var (top, bottom) = SamePadding.For(x.shape[3], Kernel.Height, Stride.Height);
        var (left, right) = SamePadding.For(x.shape[4], Kernel.Width, Stride.Width);
        long[] pad = [left, right, top, bottom, front, back];
        long[] kernel = [Kernel.Time, Kernel.Height, Kernel.Width], stride = [Stride.Time, Stride.Height, Stride.Width];
        if (Max) return F.max_pool3d(pad.All(p => p == 0) ? x : F.pad(x, pad, value: double.NegativeInfinity), kernel, stride);
        var sums = F.avg_pool3d(F.pad(x, pad), kernel, stride, divisor_override: 1);
        // Real cells per window: the same pooling of ones padded with zeros (one frame of one channel, broadcast).
        using var ones = TorchSharp.torch.ones([1, 1, x.shape[2], x.shape[3], x.shape[4]], dtype: x.dtype, device: x.device);
        var counts = F.avg_pool3d(F.pad(ones, pad), kernel, stride, divisor_override: 1);
        return sums.div(counts);
    }

    public override string NotStreamableReason =>
        $"{(Path.Length == 0 ? "a TF-same pool" : Path)} pads the clip at both ends; TVN runs on clips only.";

    public override TemporalProfile Temporal => new(Kernel.Time, 0, Stride.Time);

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => new(input.Channels,
        SamePadding.OutputSize(input.Frames, Stride.Time), SamePadding.OutputSize(input.Height, Stride.Height), SamePadding.OutputSize(input.Width, Stride.Width));
}
