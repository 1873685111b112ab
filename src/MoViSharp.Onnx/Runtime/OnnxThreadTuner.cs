using System.Diagnostics;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Runtime;

/// <summary>
/// Picks ONNX Runtime's intra-op thread count for a model by timing it: one session per candidate count, the median of
/// <c>steps</c> frames each, the fastest wins. Per-frame graphs are small, and on the project's 2-core shared machines one thread
/// won (the default of <see cref="OnnxRuntimeOptions.IntraOpThreads"/>); another machine or a larger model may differ.
/// </summary>
public static class OnnxThreadTuner
{
    public static int Choose(VideoModel model, int height, int width, OnnxRuntimeOptions? options = null, int steps = 20, int? maxThreads = null)
    {
        options ??= new OnnxRuntimeOptions();
        int max = Math.Max(1, maxThreads ?? Environment.ProcessorCount);
        using var frame = rand([1, 3, height, width], generator: new Generator(0));
        int best = 1;
        double bestMedian = double.PositiveInfinity;
        for (int threads = 1; threads <= max; threads++)
        {
            using var classifier = OnnxClassifier.FromModel(model, options: options with { IntraOpThreads = threads });
            using var state = classifier.InitialState(1, height, width);
            for (int i = 0; i < 3; i++) classifier.Step(frame, state)?.Dispose();
            var times = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                classifier.Step(frame, state)?.Dispose();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            if (times[steps / 2] < bestMedian) { bestMedian = times[steps / 2]; best = threads; }
        }
        return best;
    }
}
