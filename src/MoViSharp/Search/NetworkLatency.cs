using MoViSharp.Inference;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>Measured per-frame latency of a whole stream model through the compiled classifier (what `classify` runs).</summary>
public static class NetworkLatency
{
    public static double Measure(VideoModel model, int size, int threads, CompileOptions? options = null, int repeats = 15, TimingClock clock = TimingClock.Wall)
    {
        TimingClocks.Check(clock, threads);
        int previous = get_num_threads();
        set_num_threads(threads);
        try
        {
            model.eval();
            using var compiled = ModelCompiler.Compile(model, options: options);
            using var state = compiled.InitialState(1, size, size);
            using var frame = rand([1, 3, size, size]);
            return LayerLatencyProbe.Median(repeats, clock, () =>
            {
                using var scope = NewDisposeScope();
                compiled.Step(frame, state);
            });
        }
        finally
        {
            set_num_threads(previous);
        }
    }
}
