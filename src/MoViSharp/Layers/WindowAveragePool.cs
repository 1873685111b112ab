using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// Average over the last <see cref="Window"/> frames and their space: [B, C, T, H, W] → [B, C, T, 1, 1], frame t averaging frames
/// t−w+1 … t (before the first frame: the buffer's fill). The continual form of a global average pool (CoX3D's head pool over 16
/// or an extended 64 frames): per step one spatial mean joins a ring of w−1 means (<see cref="StreamBuffer"/>), so it costs the
/// same whatever w is. Delay 0.
/// </summary>
public sealed class WindowAveragePool : StreamModule
{
    private readonly StreamBuffer buffer;

    public int Window { get; }
    public StreamBuffer Buffer => buffer;

    public WindowAveragePool(int window, TemporalFill fill = TemporalFill.Zeros) : base(nameof(WindowAveragePool))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        Window = window;
        buffer = new StreamBuffer(window - 1, fill);
        register_module("buffer", buffer);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var means = x.mean([3, 4], keepdim: true);                            // [B, C, T, 1, 1]
        var full = buffer.Forward(means, state);                               // [B, C, w−1+T, 1, 1]
        return Window == 1 ? full : F.avg_pool3d(full, [Window, 1, 1], [1, 1, 1]);
    }

    public override TemporalProfile Temporal => new(Window, 0, 1);

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        buffer.Trace(input with { Height = 1, Width = 1 }, trace);
        return input with { Height = 1, Width = 1 };
    }
}
