using System.Diagnostics;
using MoViSharp.Classification;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// Picks libtorch's intra-op thread count for a classifier by timing it: for per-frame shapes one thread is often faster than
/// two (platform.md), and which one wins depends on the model and the batch. Times on a scratch state.
/// </summary>
public static class ThreadCountTuner
{
    /// <summary>Times <paramref name="steps"/> steps at 1…<paramref name="maxThreads"/> threads, sets and returns the fastest.</summary>
    public static int Choose(IVideoClassifier classifier, int height, int width, int batch = 1, int steps = 20, int? maxThreads = null)
    {
        int max = Math.Max(1, maxThreads ?? Environment.ProcessorCount);
        using var state = classifier.InitialState(batch, height, width);
        using var frames = rand([batch, 3, height, width], generator: new Generator(0));
        int best = 1;
        double bestMedian = double.PositiveInfinity;
        for (int threads = 1; threads <= max; threads++)
        {
            set_num_threads(threads);
            for (int i = 0; i < 3; i++) classifier.Step(frames, state)?.Dispose();
            var times = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                classifier.Step(frames, state)?.Dispose();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            double median = times[steps / 2];
            if (median < bestMedian) { bestMedian = median; best = threads; }
        }
        set_num_threads(best);
        return best;
    }
}
