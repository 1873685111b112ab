using MoViSharp.Inference;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>
/// Times one module of a stream model alone, compiled exactly as the whole model compiles it (same rules and options), on
/// per-frame inputs of its own shape: the median of <c>repeats</c> steps after a warm-up.
/// </summary>
internal static class LayerLatencyProbe
{
    public const int Warmup = 3;
    /// <summary>
    /// Untimed calls also run for at least this long: .NET promotes hot methods to optimised code only after ~30 calls and a
    /// background delay, so the first network timed in a process measured 5–15 % slow after 3 warm-up calls (docs/search.md §2).
    /// </summary>
    public const double WarmupMs = 250;
    /// <summary>The first measurement of a process warms longer: the timing and stepping code itself is not yet optimised.</summary>
    public const double FirstWarmupMs = 1500;
    private static int measured;

    /// <summary>Untimed calls: at least <see cref="Warmup"/> of them and for at least <see cref="WarmupMs"/> (the first of a process: <see cref="FirstWarmupMs"/>).</summary>
    private static void WarmUp(Action step)
    {
        double ms = Interlocked.Exchange(ref measured, 1) == 0 ? FirstWarmupMs : WarmupMs;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < Warmup || watch.Elapsed.TotalMilliseconds < ms; i++) step();
    }

    public static double Measure(StreamModule module, VideoShape input, CompileOptions options, int repeats, TimingClock clock = TimingClock.Wall)
    {
        using var _ = no_grad();
        var context = new CompileContext(options, [.. options.Rules, .. ModelCompiler.BuiltInRules], ModelCompiler.BuiltInPairRules);
        var root = context.Compile(module, input with { Frames = 1 });
        using var graph = new CompiledGraph(root, context.SlotCount, (int)input.Height, (int)input.Width);
        using var state = graph.NewState(1);
        using var x = rand([1, input.Channels, input.Height, input.Width]);
        return Median(repeats, clock, () =>
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            root.Step(x, state);
        });
    }

    /// <summary>
    /// Per-piece medians (plus, last, the frame's overhead outside the pieces) of a whole compiled stream model's step: stem, each block layer, head, pool, classifier (the top-level
    /// children with the blocks expanded), each timed around its own call while the whole network runs.
    /// </summary>
    public static double[] InContext(Models.VideoModel model, int size, int expected, CompileOptions options, int repeats, TimingClock clock)
    {
        using var _ = no_grad();
        model.eval();
        using var graph = ModelCompiler.CompileGraph(model, size, size, options);
        var top = graph.Root.Children.ToList();
        var pieces = top.Take(1).Concat(top[1].Children).Concat(top.Skip(2)).ToList();
        if (pieces.Count != expected)
            throw new InvalidOperationException($"{model.Config.Id}: the compiled graph has {pieces.Count} top-level pieces, the cost model expects {expected}.");
        using var state = graph.NewState(1);
        using var frame = rand([1, 3, size, size]);
        // The last entry: what a frame costs beyond its pieces (scope, input normalisation, reshape, as CompiledModel.Step does).
        var times = Enumerable.Range(0, pieces.Count + 1).Select(_ => new double[repeats]).ToArray();
        // Each piece's interval carries one clock read the whole network's step does not; 2 reads per piece fall inside the frame.
        double read = TimingClocks.ReadCostMs(clock);
        // One frame through the pieces; timings are kept when `record` is a repeat index (null: a warm-up frame).
        void Frame(int? record)
        {
            double begin = TimingClocks.NowMs(clock), inside = 0;
            using (var scope = NewDisposeScope())
            using (var mode = inference_mode())
            {
                var x = Classification.Normalization.Apply(frame, model.Config.Preprocessing);
                for (int i = 0; i < pieces.Count; i++)
                {
                    double start = TimingClocks.NowMs(clock);
                    x = pieces[i].Step(x, state) ?? throw new InvalidOperationException($"{model.Config.Id}: piece {i} emitted no frame.");
                    double spent = Math.Max(0, TimingClocks.NowMs(clock) - start - read);
                    inside += spent;
                    if (record is int r) times[i][r] = spent;
                }
                scope.MoveToOuter(x.reshape(1, -1)).Dispose();
            }
            if (record is int k) times[^1][k] = Math.Max(0, TimingClocks.NowMs(clock) - begin - inside - 2 * pieces.Count * read);
        }
        WarmUp(() => Frame(null));
        for (int r = 0; r < repeats; r++) Frame(r);
        return times.Select(MedianOf).ToArray();
    }

    private static double MedianOf(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Median time in ms (on <paramref name="clock"/>) of <paramref name="repeats"/> calls after <see cref="Warmup"/> untimed ones (and <see cref="WarmupMs"/>).</summary>
    public static double Median(int repeats, TimingClock clock, Action step)
    {
        WarmUp(step);
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            double start = TimingClocks.NowMs(clock);
            step();
            times[i] = TimingClocks.NowMs(clock) - start;
        }
        return MedianOf(times);
    }
}
