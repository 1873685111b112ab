using MoViSharp.Inference;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>Measured per-frame latency of a whole model through the compiled classifier (what `classify` runs): a stream model's step, or a clip model's clip over its frames.</summary>
public static class NetworkLatency
{
    public static double Measure(VideoModel model, int size, int threads, CompileOptions? options = null, int repeats = 15, TimingClock clock = TimingClock.Wall) =>
        WithCompiled(model, threads, options, clock, compiled =>
        {
            using var state = compiled.InitialState(1, size, size);
            using var frame = rand([1, 3, size, size]);
            return LayerLatencyProbe.Median(repeats, clock, () =>
            {
                using var scope = NewDisposeScope();
                compiled.Step(frame, state);
            });
        });

    /// <summary>
    /// A clip model's compiled clip logits on one random clip of <paramref name="frames"/> × <paramref name="size"/>², median over
    /// <paramref name="repeats"/> calls, divided by the frames: the clip's cost per frame, as a clip model pays it.
    /// </summary>
    public static double MeasureClip(VideoModel model, int frames, int size, int threads, CompileOptions? options = null, int repeats = 5, TimingClock clock = TimingClock.Wall) =>
        WithCompiled(model, threads, options, clock, compiled =>
        {
            using var clip = rand([1, 3, frames, size, size]);
            using var _ = inference_mode();
            return LayerLatencyProbe.Median(repeats, clock, () =>
            {
                using var scope = NewDisposeScope();
                compiled.ClipLogits(clip);
            }) / frames;
        });

    /// <summary>Runs <paramref name="measure"/> on the compiled model with libtorch set to <paramref name="threads"/>, restoring the caller's thread count.</summary>
    private static double WithCompiled(VideoModel model, int threads, CompileOptions? options, TimingClock clock, Func<CompiledModel, double> measure)
    {
        TimingClocks.Check(clock, threads);
        int previous = get_num_threads();
        set_num_threads(threads);
        try
        {
            model.eval();
            using var compiled = ModelCompiler.Compile(model, options: options);
            return measure(compiled);
        }
        finally
        {
            set_num_threads(previous);
        }
    }
}
