namespace MoViSharp.Data.Synthetic;

/// <summary>
/// Everything random about one clip, drawn in a fixed order from the clip's own generator: background, object
/// shape, colour and size, trajectory, optional distractor blob, and the strength of per-frame noise and brightness jitter.
/// </summary>
public sealed record SyntheticScene(
    SyntheticBackground Background,
    SyntheticShape Shape,
    Rgb ObjectColour,
    double Radius,
    SyntheticTrajectory Trajectory,
    SyntheticDistractor? Distractor,
    double NoiseAmplitude,
    double BrightnessJitter)
{
    /// <summary>
    /// The RGB distance the object's colour keeps from every background colour (all lie between the background's two
    /// colours) when one can be found in a few draws; otherwise the most distant of those draws is used.
    /// </summary>
    public const double TargetContrast = 0.4;

    public static SyntheticScene Sample(ref SplitMix64 random, SyntheticMotion motion, int frames)
    {
        var background = SyntheticBackground.Sample(ref random);
        // A disc looks the same at every angle, so rotation clips use the square or the triangle.
        var shape = motion == SyntheticMotion.RotateClockwise
            ? (random.NextBool() ? SyntheticShape.Square : SyntheticShape.Triangle)
            : (SyntheticShape)random.NextInt(3);
        var colour = SampleContrastingColour(ref random, background);
        // Grow/shrink clips get larger objects so that the small end is still several pixels across.
        double radius = motion == SyntheticMotion.Grow ? random.NextDouble(0.13, 0.19) : random.NextDouble(0.08, 0.14);
        double symmetry = shape == SyntheticShape.Square ? Math.PI / 2 : 2 * Math.PI;
        var trajectory = SyntheticTrajectory.Sample(ref random, motion, radius, symmetry, frames);
        // Drawn whether or not it is used, so the remaining draws do not depend on the coin.
        bool hasDistractor = random.NextBool();
        var distractor = SyntheticDistractor.Sample(ref random);
        double noise = random.NextDouble(0, 0.05);
        double jitter = random.NextDouble(0, 0.05);
        return new SyntheticScene(background, shape, colour, radius, trajectory, hasDistractor ? distractor : null, noise, jitter);
    }

    private static Rgb SampleContrastingColour(ref SplitMix64 random, SyntheticBackground background)
    {
        Rgb best = default;
        double bestContrast = -1;
        for (int attempt = 0; attempt < 64; attempt++)
        {
            var colour = Rgb.Sample(ref random, 0, 1);
            double contrast = colour.DistanceToSegment(background.First, background.Second);
            if (contrast >= TargetContrast)
                return colour;
            if (contrast > bestContrast)
                (best, bestContrast) = (colour, contrast);
        }
        return best;
    }
}
