using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// Max pooling over (time, height, width) with PyTorch's semantics (kernel, stride, symmetric padding with −∞, optional ceil
/// mode), as the clip families' stems and C3D use it. A temporal kernel of 1 pools each frame on its own and streams; a larger
/// one needs the clip (continual max pooling is a later rewrite).
/// </summary>
public sealed class MaxPool : StreamModule
{
    public (int Time, int Height, int Width) Kernel { get; }
    public (int Time, int Height, int Width) Stride { get; }
    public (int Time, int Height, int Width) Padding { get; }
    public bool CeilMode { get; }

    private readonly StreamBuffer? buffer;

    /// <summary>The buffer of the frames before the window when the pool streams (temporal kernel &gt; 1, stride 1), or null.</summary>
    public StreamBuffer? Buffer => buffer;

    public MaxPool((int Time, int Height, int Width) kernel, (int Time, int Height, int Width)? stride = null,
        (int Time, int Height, int Width) padding = default, bool ceilMode = false) : base(nameof(MaxPool))
    {
        Kernel = kernel;
        Stride = stride ?? kernel;
        Padding = padding;
        CeilMode = ceilMode;
        if (Kernel.Time > 1 && Stride.Time == 1) register_module("buffer", buffer = new StreamBuffer(Kernel.Time - 1, TemporalFill.NegativeInfinity));
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null && NotStreamableReason is { } reason) throw new NotSupportedException(reason);
        // Many steps: the k−1 frames before (−∞ at the start, like the padding) and no temporal padding.
        if (state is not null && buffer is not null)
            return F.max_pool3d(buffer.Forward(x, state), [Kernel.Time, Kernel.Height, Kernel.Width], [1, Stride.Height, Stride.Width],
                [0, Padding.Height, Padding.Width], ceil_mode: CeilMode);
        return F.max_pool3d(x, [Kernel.Time, Kernel.Height, Kernel.Width], [Stride.Time, Stride.Height, Stride.Width],
            [Padding.Time, Padding.Height, Padding.Width], ceil_mode: CeilMode);
    }

    public override string? NotStreamableReason => Stride.Time == 1 ? null
        : $"{(Path.Length == 0 ? "a max pool" : Path)} pools {Kernel.Time} frames with stride {Stride.Time}; it runs on clips only.";

    public override TemporalProfile Temporal => new(Kernel.Time, Kernel.Time - 1 - Padding.Time, Stride.Time);

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        buffer?.Trace(input, trace);
        return Output(input);
    }

    private VideoShape Output(VideoShape input) => new(input.Channels,
        PoolingArithmetic.OutputSize(input.Frames, Kernel.Time, Stride.Time, Padding.Time, CeilMode),
        PoolingArithmetic.OutputSize(input.Height, Kernel.Height, Stride.Height, Padding.Height, CeilMode),
        PoolingArithmetic.OutputSize(input.Width, Kernel.Width, Stride.Width, Padding.Width, CeilMode));
}
