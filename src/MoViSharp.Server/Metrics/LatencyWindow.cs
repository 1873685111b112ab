namespace MoViSharp.Server.Metrics;

/// <summary>The last <c>capacity</c> samples of a duration, for percentiles over recent behaviour (not since start).</summary>
public sealed class LatencyWindow(int capacity = 4096)
{
    private readonly double[] samples = new double[capacity];
    private int next, count;
    private long total;

    public long Total => Interlocked.Read(ref total);

    public void Add(double value)
    {
        lock (samples)
        {
            samples[next] = value;
            next = (next + 1) % samples.Length;
            count = Math.Min(count + 1, samples.Length);
        }
        Interlocked.Increment(ref total);
    }

    /// <summary>Nearest-rank percentile (q in [0, 1]) of the window; NaN when empty.</summary>
    public double Percentile(double q)
    {
        double[] copy;
        lock (samples) copy = samples[..count];
        if (copy.Length == 0) return double.NaN;
        Array.Sort(copy);
        int rank = (int)Math.Ceiling(q * copy.Length) - 1;
        return copy[Math.Clamp(rank, 0, copy.Length - 1)];
    }

    public void Clear()
    {
        lock (samples) { next = 0; count = 0; }
    }
}
