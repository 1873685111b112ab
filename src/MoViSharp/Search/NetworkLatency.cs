using MoViSharp.Inference;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>Measured per-frame latency of a whole model through the compiled classifier (what `classify` runs): a stream model's step, or a clip model's clip over its frames.</summary>
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

    /// <summary>
    /// A clip model's compiled clip logits on one random clip of <paramref name="frames"/> × <paramref name="size"/>², median over
    /// <paramref name="repeats"/> calls, divided by the frames: the clip's cost per frame, as a clip model pays it.
    /// </summary>
    public static double MeasureClip(VideoModel model, int frames, int size, int threads, CompileOptions? options = null, int repeats = 5, TimingClock clock = TimingClock.Wall)
    {
        TimingClocks.Check(clock, threads);
        int previous = get_num_threads();
        set_num_threads(threads);
        try
        {
            model.eval();
            using var compiled = ModelCompiler.Compile(model, options: options);
            using var clip = rand([1, 3, frames, size, size]);
            using var _ = inference_mode();
            return LayerLatencyProbe.Median(repeats, clock, () =>
            {
                using var scope = NewDisposeScope();
                compiled.ClipLogits(clip);
            }) / frames;
        }
        finally
        {
            set_num_threads(previous);
        }
    }
}
