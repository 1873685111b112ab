using System.Diagnostics;
using static TorchSharp.torch;

namespace MoViSharp.Bench;

/// <summary>The machine's practical fp32 peak: GFLOP/s of a large square matmul (2n³ FLOPs), best of several runs.</summary>
public static class PeakFlops
{
    public static double Measure(int threads, int size = 1024, int repeats = 8)
    {
        set_num_threads(threads);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var a = rand(size, size);
        var b = rand(size, size);
        var c = empty(size, size);
        mm(a, b).Dispose();
        double best = 0;
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (mm(a, b)) { }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, 2.0 * size * size * (double)size / seconds / 1e9);
        }
        return best;
    }
}
