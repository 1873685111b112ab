namespace MoViSharp.Data.Synthetic;

/// <summary>
/// A soft, low-contrast Gaussian blob drifting in a random direction and bouncing off the frame's edges. It moves in
/// every class, in directions unrelated to the class, so that "something moves right" is not enough to say move_right.
/// </summary>
public sealed record SyntheticDistractor(double X, double Y, double VelocityX, double VelocityY, double Sigma, Rgb Colour, double Strength)
{
    public static SyntheticDistractor Sample(ref SplitMix64 random)
    {
        double x = random.NextDouble(0.1, 0.9), y = random.NextDouble(0.1, 0.9);
        double direction = random.NextDouble(0, 2 * Math.PI), speed = random.NextDouble(0.2, 0.7);
        return new SyntheticDistractor(x, y, speed * Math.Cos(direction), speed * Math.Sin(direction),
            random.NextDouble(0.04, 0.08), Rgb.Sample(ref random, 0, 1), random.NextDouble(0.3, 0.55));
    }

    /// <summary>The blob's centre at time <paramref name="t"/>, reflected into [0.05, 0.95].</summary>
    public (double X, double Y) At(double t) => (Reflect(X + VelocityX * t), Reflect(Y + VelocityY * t));

    private static double Reflect(double value)
    {
        const double Low = 0.05, Span = 0.9;
        double s = (value - Low) / Span;
        double folded = s - 2 * Math.Floor(s / 2);
        return Low + Span * (folded <= 1 ? folded : 2 - folded);
    }
}
