namespace MoViSharp.Bench;

/// <summary>Median, p90 and p99 of per-frame (or per-step) times in milliseconds (nearest-rank percentiles).</summary>
public sealed record LatencyStats(double Median, double P90, double P99, int Samples)
{
    public static LatencyStats Of(IReadOnlyList<double> milliseconds)
    {
        if (milliseconds.Count == 0) throw new ArgumentException("No samples.", nameof(milliseconds));
        var sorted = milliseconds.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyStats(Rank(0.5), Rank(0.9), Rank(0.99), sorted.Length);
    }
}
