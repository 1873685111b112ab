using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// Average over the whole clip, time and space: [B, C, T, H, W] → [B, C, 1, 1, 1] (clip models). It needs every frame before it
/// can answer, so it does not stream: causal models use <see cref="CumulativeAveragePool"/>, continual ones a windowed pool.
/// </summary>
public sealed class GlobalAveragePool() : StreamModule(nameof(GlobalAveragePool))
{
    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        return x.mean([2, 3, 4], keepdim: true);
    }

    public override string NotStreamableReason =>
        $"{(Path.Length == 0 ? "the model" : Path)} averages over the whole clip, so it cannot run frame by frame (use a stream model, or convert it to a continual one).";

    public override TemporalProfile Temporal => TemporalProfile.Pointwise;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input with { Frames = 1, Height = 1, Width = 1 };
}
