using MoViSharp.Data.Synthetic;

namespace MoViSharp.Data;

/// <summary>
/// Which frames of a decoded clip make a model input: <paramref name="Frames"/> frames, <paramref name="Stride"/> apart, starting at
/// a random (training) or centred (evaluation) position plus <paramref name="Offset"/>. <paramref name="Fps"/>, when set, resamples
/// videos to that rate while decoding (then the stride counts frames at that rate; .npy clips have no rate and ignore it).
/// Clips shorter than needed repeat their last frame.
/// </summary>
public sealed record FrameSampling(int Frames, int Stride = 1, double? Fps = null, int Offset = 0)
{
    /// <summary>Frames of the decoded clip the sample spans.</summary>
    public int Span => (Frames - 1) * Stride + 1 + Offset;

    public void Validate()
    {
        if (Frames < 1) throw new ArgumentException($"Frame sampling needs at least one frame, got {Frames}.");
        if (Stride < 1) throw new ArgumentException($"The frame stride must be at least 1, got {Stride}.");
        if (Offset < 0) throw new ArgumentException($"The frame offset must not be negative, got {Offset}.");
        if (Fps is { } f && !(f > 0 && double.IsFinite(f))) throw new ArgumentException($"Fps must be positive, got {f}.");
    }

    /// <summary>The frame indices of view <paramref name="view"/> of <paramref name="views"/>: a random start when <paramref name="random"/>
    /// is given, otherwise starts spread evenly over the clip (one view: centred).</summary>
    public int[] Indices(int available, ref SplitMix64 random, bool randomStart, int view = 0, int views = 1)
    {
        if (available < 1) throw new ArgumentException("The clip has no frames.");
        int slack = Math.Max(0, available - Span);
        int start = randomStart ? random.NextInt(slack + 1)
            : views == 1 ? slack / 2 : (int)Math.Round((double)view * slack / (views - 1));
        var indices = new int[Frames];
        for (int i = 0; i < Frames; i++) indices[i] = Math.Min(available - 1, start + Offset + i * Stride);
        return indices;
    }
}
