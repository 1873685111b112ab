using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>Average over each frame's space: [B, C, T, H, W] → [B, C, T, 1, 1]. Frame by frame, no state.</summary>
public sealed class SpatialAveragePool() : StreamModule(nameof(SpatialAveragePool))
{
    public override Tensor Forward(Tensor x, StreamState? state) => x.mean([3, 4], keepdim: true);

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input with { Height = 1, Width = 1 };
}
