using System.Diagnostics;
using MoViSharp.Inference;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Cli.Bench;

/// <summary>
/// Runs the measurements of `movisharp bench` into a <see cref="BenchResults"/>. Models get fresh random weights: speed does not
/// depend on the values. Every step runs in its own dispose scope under inference mode, as real streaming would.
/// </summary>
public sealed class BenchMeasurements(BenchSettings settings, Action<string> log)
{
    public BenchResults Run()
    {
        var results = new BenchResults
        {
            StartedUtc = DateTime.UtcNow, Quick = settings.Quick, Frames = settings.Frames, Warmup = settings.Warmup,
            LoadBefore = ProcessMemory.LoadAverage(),
        };
        foreach (int threads in settings.Threads)
        {
            results.PeakGflops[threads] = PeakFlops.Measure(threads, settings.Quick ? 512 : 1024);
            log($"peak fp32 matmul, {threads} thread(s): {results.PeakGflops[threads]:F1} GFLOP/s");
        }
        foreach (var name in settings.Models) MeasureStream(name, results);
        foreach (var name in settings.Models) MeasureClips(name, results);
        MeasureBatches(settings.Models[0], results);
        MeasureMemory(results);
        results.LoadAfter = ProcessMemory.LoadAverage();
        BenchGoals.Evaluate(results, settings);
        return results;
    }

    private void MeasureStream(string name, BenchResults results)
    {
        using var model = ModelRegistry.Create(name, MoViNetVariant.Stream, settings.Classes);
        model.eval();
        int size = settings.SizeOf(model.Config);
        long macs = model.Trace(1, size, size).MultiplyAdds;
        using var engine = StreamingEngine.Create(model, size, size);
        results.SimdLayers[name] = (engine.SimdLayerCount, engine.LayerCount);
        results.EngineMaxAbsDiff[name] = MaxDifference(model, engine, size);
        foreach (int threads in settings.Threads)
        {
            set_num_threads(threads);
            var plain = TimePlain(model, size);
            results.Latency.Add(new StreamLatency(name, "plain", threads, size, macs, plain, results.PeakGflops[threads]));
            engine.Reset();
            var fast = TimeSteps(engine, settings.Frames);
            results.Latency.Add(new StreamLatency(name, "engine", threads, size, macs, fast, results.PeakGflops[threads]));
            log($"{name}-stream {size}² {threads}t: plain {plain.Median:F2} ms, engine {fast.Median:F2} ms (median per frame)");
        }
        if (settings.Threads.Count > 1)
        {
            results.TunedThreads[name] = ThreadCountTuner.Choose(engine, settings.Quick ? 5 : 30, settings.Threads.Max());
            log($"{name}-stream: engine thread count chosen by measurement: {results.TunedThreads[name]}");
        }
    }

    /// <summary>Largest |engine − ForwardStep| over a few frames: the bench checks what it times.</summary>
    private static double MaxDifference(MoViNet model, StreamingEngine engine, int size)
    {
        using var scope = NewDisposeScope();
        using var state = model.InitialState(1, size, size);
        var generator = new Generator(11);
        double max = 0;
        for (int t = 0; t < 3; t++)
        {
            var frame = rand([1, 3, size, size], generator: generator);
            using var mode = inference_mode();
            var plain = model.ForwardStep(frame, state);
            using var fast = engine.Step(frame);
            max = Math.Max(max, plain.sub(fast).abs().max().item<float>());
        }
        engine.Reset();
        return max;
    }

    private LatencyStats TimePlain(MoViNet model, int size)
    {
        using var state = model.InitialState(1, size, size);
        using var frame = rand([1, 3, size, size]);
        var times = new List<double>(settings.Frames);
        for (int i = 0; i < settings.Warmup + settings.Frames; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (NewDisposeScope())
            using (inference_mode())
                model.ForwardStep(frame, state);
            if (i >= settings.Warmup) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return LatencyStats.Of(times);
    }

    private LatencyStats TimeSteps(StreamingEngine engine, int steps)
    {
        using var frames = rand([engine.BatchSize, 3, engine.Height, engine.Width]);
        var times = new List<double>(steps);
        for (int i = 0; i < settings.Warmup + steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Step(frames).Dispose();
            if (i >= settings.Warmup) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return LatencyStats.Of(times);
    }

    private void MeasureClips(string name, BenchResults results)
    {
        using var model = ModelRegistry.Create(name, MoViNetVariant.Base, settings.Classes);
        model.eval();
        int size = settings.SizeOf(model.Config);
        long macs = model.Trace(settings.ClipFrames, size, size).MultiplyAdds;
        using var clip = rand([1, 3, settings.ClipFrames, size, size]);
        foreach (int threads in settings.Threads)
        {
            set_num_threads(threads);
            var times = new List<double>();
            for (int i = 0; i < 1 + settings.ClipRepeats; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using (NewDisposeScope())
                using (inference_mode())
                    model.Forward(clip, null);
                if (i > 0) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            var c = new ClipThroughput(name, threads, size, settings.ClipFrames, macs, LatencyStats.Of(times), results.PeakGflops[threads]);
            results.Clips.Add(c);
            log($"{name}-base {settings.ClipFrames}×{size}² clip, {threads}t: {c.ClipMs.Median:F0} ms ({c.FramesPerSecond:F1} frames/s)");
        }
    }

    private void MeasureBatches(string name, BenchResults results)
    {
        using var model = ModelRegistry.Create(name, MoViNetVariant.Stream, settings.Classes);
        model.eval();
        int size = settings.SizeOf(model.Config);
        foreach (int threads in settings.Threads)
        {
            set_num_threads(threads);
            foreach (int batch in settings.Batches)
            {
                using var engine = StreamingEngine.Create(model, size, size, batch);
                int steps = Math.Max(settings.Quick ? 3 : 10, settings.Frames / batch);
                var stats = TimeSteps(engine, steps);
                var b = new BatchThroughput(name, threads, batch, size, stats);
                results.Batches.Add(b);
                log($"{name}-stream engine, {batch} streams, {threads}t: {stats.Median:F2} ms/step, {b.FramesPerSecond:F0} frames/s");
            }
        }
    }

    private void MeasureMemory(BenchResults results)
    {
        string name = settings.MemoryModel;
        var config = ModelRegistry.Config(name, MoViNetVariant.Stream);
        int size = settings.SizeOf(config);
        foreach (var (kind, label) in new[]
                 {
                     (MemoryProbe.StreamEngine, "optimised engine, frame by frame"),
                     (MemoryProbe.StreamEngineSmallGen0, "optimised engine, DOTNET_GCgen0size=2 MB"),
                     (MemoryProbe.StreamPlain, "MoViNet.ForwardStep, frame by frame"),
                 })
        {
            var series = new MemorySeries(kind, $"{name}-stream", $"{label}, {size}²");
            foreach (var (frames, (rss, hwm, seconds)) in MemoryProbe.Run(kind, name, size, settings.MemoryFrames, settings.Classes))
                series.Points[frames] = (rss, hwm);
            results.Memory.Add(series);
            log($"memory {kind}: " + string.Join(", ", series.Points.Select(p => $"{p.Key} frames {p.Value.RssMb:F0} MB")));
        }

        var baseSeries = new MemorySeries(MemoryProbe.Base, $"{name}-base", $"one clip of N frames, {size}², peak of the process");
        var timings = new List<(int Frames, double Hwm, double Seconds)>();
        // Two short calibration clips first, so that even the first requested length is extrapolated before it is run.
        int[] calibration = settings.Quick ? [4, 8] : [8, 16];
        foreach (int frames in calibration.Where(c => c < settings.MemoryFrames.Min()).Concat(settings.MemoryFrames))
        {
            if (timings.Count >= 2 && SkipReason(frames, timings) is { } why)
            {
                baseSeries.Skipped[frames] = why;
                log($"memory base {frames} frames skipped: {why}");
                continue;
            }
            var point = MemoryProbe.Run(MemoryProbe.Base, name, size, [frames], settings.Classes)[frames];
            baseSeries.Points[frames] = (point.Rss, point.Hwm);
            timings.Add((frames, point.Hwm, point.Seconds));
            log($"memory base {frames} frames: peak {point.Hwm:F0} MB ({point.Seconds:F1} s)");
        }
        results.Memory.Add(baseSeries);
    }

    /// <summary>Extrapolates the base model's peak memory and time linearly in frames; skips what would not fit or would take too long.</summary>
    private string? SkipReason(int frames, List<(int Frames, double Hwm, double Seconds)> done)
    {
        var (f0, h0, s0) = done[^2];
        var (f1, h1, s1) = done[^1];
        double mbPerFrame = Math.Max(0, (h1 - h0) / (f1 - f0));
        double predictedMb = h1 + mbPerFrame * (frames - f1);
        double predictedSeconds = s1 * frames / f1;
        double available = ProcessMemory.AvailableMb();
        if (available > 0 && predictedMb > 0.4 * available)
            return $"would need ≈{predictedMb / 1024:F1} GB (linear in frames from {f0}/{f1}), more than 40 % of the {available / 1024:F1} GB available on this shared machine";
        if (predictedSeconds > (settings.Quick ? 10 : 240))
            return $"would take ≈{predictedSeconds:F0} s";
        return null;
    }
}
