using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// What every layer of one engine step shares: the frame counts after this frame (the divisor of the cumulative means) and the
/// positional encodings of this frame, computed once per width rather than once per layer.
/// </summary>
internal sealed class StepContext(Tensor countsAfter, Tensor positionsBefore)
{
    private readonly Dictionary<int, Tensor> encodings = [];

    /// <summary>Frames seen per stream including this one, float32 [B, 1].</summary>
    public Tensor CountsAfter { get; } = countsAfter;

    /// <summary>The sinusoidal encoding [B, C] of this frame's position (frames seen before it), as <see cref="Layers.PositionalEncoding"/>.</summary>
    public Tensor Encoding(int channels)
    {
        if (!encodings.TryGetValue(channels, out var e))
            encodings[channels] = e = Layers.PositionalEncoding.Encode(positionsBefore, 1, channels).squeeze(-1);
        return e;
    }
}
