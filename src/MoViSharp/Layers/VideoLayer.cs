using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// A layer on video activations [B, C, T, H, W] with one semantics for a whole clip, one frame and several frames:
/// <see cref="Forward(Tensor, StreamState?)"/> with <c>null</c> runs a clip from an empty state and records nothing;
/// with a state it continues from it and writes the state after the last frame. For a causal layer, an empty incoming
/// state is exactly the causal whole-clip form (zero padding in the past).
/// </summary>
public abstract class VideoLayer(string name) : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor input) => Forward(input, null);

    public abstract Tensor Forward(Tensor input, StreamState? state);

    /// <summary>The output shape for <paramref name="input"/>; adds this layer's multiply-adds and state specs to <paramref name="trace"/>.</summary>
    public abstract VideoShape Trace(VideoShape input, ModelTrace trace);
}
