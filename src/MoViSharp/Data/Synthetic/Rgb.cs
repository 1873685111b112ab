namespace MoViSharp.Data.Synthetic;

/// <summary>A linear RGB colour with channels in [0, 1].</summary>
public readonly record struct Rgb(double R, double G, double B)
{
    public static Rgb Sample(ref SplitMix64 random, double min, double max) =>
        new(random.NextDouble(min, max), random.NextDouble(min, max), random.NextDouble(min, max));

    public double DistanceTo(Rgb other)
    {
        double dr = R - other.R, dg = G - other.G, db = B - other.B;
        return Math.Sqrt(dr * dr + dg * dg + db * db);
    }

    /// <summary>The distance to the nearest colour on the straight line from <paramref name="a"/> to <paramref name="b"/>.</summary>
    public double DistanceToSegment(Rgb a, Rgb b)
    {
        double ux = b.R - a.R, uy = b.G - a.G, uz = b.B - a.B;
        double lengthSquared = ux * ux + uy * uy + uz * uz;
        double t = lengthSquared == 0 ? 0 : Math.Clamp(((R - a.R) * ux + (G - a.G) * uy + (B - a.B) * uz) / lengthSquared, 0, 1);
        return DistanceTo(new Rgb(a.R + ux * t, a.G + uy * t, a.B + uz * t));
    }
}
