using System.Diagnostics;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// Picks libtorch's intra-op thread count for an engine by timing it: for per-frame shapes one thread is often faster than
/// two (docs/platform.md), and which one wins depends on the model and the batch. The engine's state is restored afterwards.
/// </summary>
public static class ThreadCountTuner
{
    /// <summary>Times <paramref name="steps"/> steps at 1…<paramref name="maxThreads"/> threads, sets and returns the fastest.</summary>
    public static int Choose(StreamingEngine engine, int steps = 20, int? maxThreads = null)
    {
        int max = Math.Max(1, maxThreads ?? Environment.ProcessorCount);
        using var saved = engine.ToStreamState();
        using var frames = rand([engine.BatchSize, 3, engine.Height, engine.Width]);
        int best = 1;
        double bestMedian = double.PositiveInfinity;
        for (int threads = 1; threads <= max; threads++)
        {
            set_num_threads(threads);
            for (int i = 0; i < 3; i++) engine.Step(frames).Dispose();
            var times = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                engine.Step(frames).Dispose();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            double median = times[steps / 2];
            if (median < bestMedian) { bestMedian = median; best = threads; }
        }
        set_num_threads(best);
        engine.LoadState(saved);
        return best;
    }
}
