using System.Diagnostics;
using MoViSharp.Classification;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.Continual;
using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Quantization;
using MoViSharp.Onnx.Runtime;
using MoViSharp.Onnx.Tflite;
using MoViSharp.Video;
using static TorchSharp.torch;

namespace MoViSharp.Bench;

/// <summary>
/// Runs the measurements of `movisharp bench` into a <see cref="BenchResults"/>. Models get fresh random weights: speed does not
/// depend on the values. Every step runs in its own dispose scope under inference mode, as real streaming would.
/// </summary>
public sealed partial class BenchMeasurements(BenchSettings settings, Action<string> log)
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
        var movinets = settings.Models.Where(IsMoViNetPair).ToList();
        var others = settings.Models.Except(movinets).Select(n => ModelRegistry.Entry(n)).ToList();
        foreach (var name in movinets) MeasureStream(name, results);
        foreach (var name in movinets) MeasureClips(name, results);
        if (movinets.Count > 0)
        {
            MeasureBatches(movinets[0], results);
            MeasureMemory(results);
        }
        foreach (var entry in movinets.SelectMany(n => new[] { ModelRegistry.Entry(n, "stream"), ModelRegistry.Entry(n, "base") }).Concat(others))
            MeasureComparison(entry, results);
        foreach (var entry in others.Where(e => e.Config is ContinualConfig))
            MeasureContinual(entry, results);
        results.LoadAfter = ProcessMemory.LoadAverage();
        BenchGoals.Evaluate(results, settings);
        return results;
    }

    /// <summary>A MoViNet short name ("a0"): its stream and base variants are measured side by side.</summary>
    private static bool IsMoViNetPair(string name) =>
        ModelRegistry.TryEntry($"{name}-stream", out _) && ModelRegistry.TryEntry($"{name}-base", out _);

    /// <summary>
    /// One row of the model comparison: the published accuracy beside the cost measured here at the model's own input —
    /// per clip through the compiled path on one thread (a stream model: its per-frame step times its clip's frames).
    /// </summary>
    private void MeasureComparison(ModelEntry entry, BenchResults results)
    {
        using var model = ModelRegistry.Create(entry.Name);
        model.eval();
        var p = model.Config.Preprocessing;
        int frames = settings.Quick ? Math.Min(p.Frames, 4) : p.Frames, size = settings.Size ?? p.Size;
        long macs;
        try { macs = model.Trace(frames, size, size).MultiplyAdds; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { log($"{entry.Name}: skipped ({e.Message})"); return; }
        set_num_threads(1);
        using var compiled = ModelCompiler.Compile(model);
        double msPerClip;
        if (model.Streamable)
        {
            var perFrame = TimeSteps(compiled, 1, size, Math.Max(3, Math.Min(settings.Frames, 30)));
            msPerClip = perFrame.Median * frames;
        }
        else
        {
            using var clip = rand([1, 3, frames, size, size]);
            var times = new List<double>();
            for (int i = 0; i < (settings.Quick ? 2 : 3); i++)
            {
                long start = Stopwatch.GetTimestamp();
                using (NewDisposeScope())
                using (inference_mode())
                    compiled.ClipLogits(clip);
                if (i > 0) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            msPerClip = LatencyStats.Of(times).Median;
        }
        double? onnxMs = !model.Streamable && settings.Backends.Contains("onnx") ? TimeOnnxClip(entry.Name, model, compiled, frames, size, results) : null;
        var row = new ModelComparison(entry.Name, entry.Family, frames, size, model.Streamable, model.ParameterCount, macs, msPerClip,
            entry.Weights?.Top1, entry.Weights?.LabelSet, results.PeakGflops.GetValueOrDefault(1), onnxMs);
        results.Comparison.Add(row);
        log($"{entry.Name}: {frames}×{size}², {macs / 1e9:F2} GMACs, {msPerClip:F1} ms per clip compiled (1 thread){(row.Top1 is { } t ? $", published top-1 {t:F1} ({row.LabelSet})" : "")}");
    }

    /// <summary>
    /// A clip model through ONNX Runtime (fp32 clip graph, one intra-op thread) on the clip the compiled row timed, beside it in
    /// the same run; the largest logit difference to the compiled path is kept with the row. Null when the model does not export.
    /// </summary>
    private double? TimeOnnxClip(string name, VideoModel model, IVideoClassifier compiled, int frames, int size, BenchResults results)
    {
        try
        {
            using var onnx = OnnxClassifier.FromModel(model, options: new OnnxRuntimeOptions { IntraOpThreads = 1 });
            using var clip = rand([1, 3, frames, size, size], generator: new Generator(3));
            var times = new List<double>();
            for (int i = 0; i < (settings.Quick ? 2 : 3); i++)
            {
                long start = Stopwatch.GetTimestamp();
                using (NewDisposeScope()) onnx.ClipLogits(clip);
                if (i > 0) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            using (NewDisposeScope())
            using (inference_mode())
            {
                var reference = compiled.ClipLogits(clip);
                results.OnnxMaxAbsDiff[(name, "onnx-clip")] = onnx.ClipLogits(clip).sub(reference).abs().max().item<float>();
                results.OnnxClipLogitScale[name] = reference.abs().max().item<float>();
            }
            return LatencyStats.Of(times).Median;
        }
        catch (OnnxExportException e)
        {
            log($"{name}: no ONNX row ({e.Message})");
            return null;
        }
    }

    private void MeasureStream(string name, BenchResults results)
    {
        using var model = ModelRegistry.Create($"{name}-stream", settings.Classes);
        model.eval();
        int size = settings.SizeOf(model.Config);
        long macs = model.Trace(1, size, size).MultiplyAdds;
        using var plain = new ModelClassifier(model);
        using var compiled = ModelCompiler.Compile(model);
        var described = compiled.Describe(size, size);
        results.SimdLayers[name] = (described.Count(d => d.StartsWith("SimdDepthwise", StringComparison.Ordinal)),
            model.modules().OfType<DepthwiseFeature>().Count());
        results.EngineMaxAbsDiff[name] = MaxDifference(plain, compiled, size);
        foreach (int threads in settings.Backends.Contains("torch") ? settings.Threads : [])
        {
            set_num_threads(threads);
            var (plainStats, plainCpu) = TimeStepsWithCpu(plain, size, settings.Frames);
            results.Latency.Add(new StreamLatency(name, "plain", threads, size, macs, plainStats, results.PeakGflops[threads], plainCpu));
            var (fast, fastCpu) = TimeStepsWithCpu(compiled, size, settings.Frames);
            results.Latency.Add(new StreamLatency(name, "engine", threads, size, macs, fast, results.PeakGflops[threads], fastCpu));
            log($"{name}-stream {size}² {threads}t: plain {plainStats.Median:F2} ms, compiled {fast.Median:F2} ms (median per frame; thread CPU {plainCpu:F2} / {fastCpu:F2} ms)");
        }
        if (settings.Backends.Contains("onnx")) MeasureOnnx(name, model, plain, size, macs, results);
        if (settings.Threads.Count > 1)
        {
            results.TunedThreads[name] = ThreadCountTuner.Choose(compiled, size, size, 1, settings.Quick ? 5 : 30, settings.Threads.Max());
            log($"{name}-stream: compiled path's thread count chosen by measurement: {results.TunedThreads[name]}");
        }
        MeasureClassify(name, compiled, size, results);
    }

    /// <summary>
    /// ONNX Runtime on the same model, side by side with the TorchSharp rows: fp32 plain form (states in and out), fp32 ring form,
    /// int8 QDQ (calibrated on synthetic clips; random weights, so only its speed means something here), one session per thread
    /// count; for A0 with --tflite also the translated int8 TFLite graph and the QDQ of its float import (real weights).
    /// </summary>
    private void MeasureOnnx(string name, VideoModel model, IVideoClassifier plain, int size, long macs, BenchResults results)
    {
        var candidates = new List<(string Path, Func<int, IVideoClassifier> Make)>
        {
            ("onnx-plain", t => OnnxClassifier.FromModel(model, options: new OnnxRuntimeOptions { StreamForm = OnnxExportForm.StreamPlain, IntraOpThreads = t })),
            ("onnx-ring", t => OnnxClassifier.FromModel(model, options: new OnnxRuntimeOptions { StreamForm = OnnxExportForm.StreamRing, IntraOpThreads = t })),
        };
        OnnxExport? int8 = null;
        candidates.Add(("onnx-int8", t => OnnxClassifier.FromExport(int8 ??= QdqQuantizer.Quantize(model, CalibrationClips.Synthetic(2, size, 8), new OnnxExportOptions { Height = size, Width = size }),
            new OnnxRuntimeOptions { IntraOpThreads = t })));
        if (name == "a0" && settings.Tflite is { } tflite && size == 172)
        {
            candidates.Add(("onnx-int8-tflite", t => OnnxClassifier.FromExport(TfliteOnnxTranslator.Translate(tflite), new OnnxRuntimeOptions { IntraOpThreads = t })));
            candidates.Add(("onnx-int8-mobile", t =>
            {
                using var mobile = Weights.Layouts.TfliteMoViNetImporter.Load(tflite);
                return OnnxClassifier.FromExport(QdqQuantizer.Quantize(mobile, CalibrationClips.Synthetic(2, size, 8)), new OnnxRuntimeOptions { IntraOpThreads = t });
            }));
        }
        foreach (var (path, make) in candidates)
            foreach (int threads in settings.Threads)
            {
                using var classifier = make(threads);
                if (threads == settings.Threads[0] && path is "onnx-plain" or "onnx-ring")
                    results.OnnxMaxAbsDiff[(name, path)] = MaxDifference(plain, classifier, size);
                set_num_threads(1);
                var (stats, cpu) = TimeStepsWithCpu(classifier, size, settings.Frames);
                results.Latency.Add(new StreamLatency(path is "onnx-int8-tflite" or "onnx-int8-mobile" ? "a0-mobile" : name, path, threads, size, macs, stats,
                    results.PeakGflops[threads], cpu));
                log($"{name}-stream {size}² {threads}t: {path} {stats.Median:F2} ms (median per frame; thread CPU {cpu:F2} ms)");
            }
    }

    /// <summary>Median wall time and median calling-thread CPU time of one step, one stream, from a fresh state.</summary>
    private (LatencyStats Wall, double CpuMedian) TimeStepsWithCpu(IVideoClassifier classifier, int size, int steps)
    {
        using var state = classifier.InitialState(1, size, size);
        using var frames = rand([1, 3, size, size]);
        var times = new List<double>(steps);
        var cpu = new List<double>(steps);
        for (int i = 0; i < settings.Warmup + steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            double cpuStart = ThreadCpuClock.Milliseconds();
            using (NewDisposeScope()) classifier.Step(frames, state)?.Dispose();
            if (i < settings.Warmup) continue;
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            cpu.Add(ThreadCpuClock.Milliseconds() - cpuStart);
        }
        cpu.Sort();
        return (LatencyStats.Of(times), cpu[cpu.Count / 2]);
    }

    /// <summary>Largest |compiled − plain| logit difference over a few frames: the bench checks what it times.</summary>
    private static double MaxDifference(IVideoClassifier plain, IVideoClassifier compiled, int size)
    {
        using var scope = NewDisposeScope();
        using var a = plain.InitialState(1, size, size);
        using var b = compiled.InitialState(1, size, size);
        var generator = new Generator(11);
        double max = 0;
        for (int t = 0; t < 3; t++)
        {
            var frame = rand([1, 3, size, size], generator: generator);
            var x = plain.Step(frame, a)!;
            var y = compiled.Step(frame, b)!;
            max = Math.Max(max, x.sub(y).abs().max().item<float>());
        }
        return max;
    }

    /// <summary>Median time of one step for <paramref name="batch"/> streams, from a fresh state.</summary>
    private LatencyStats TimeSteps(IVideoClassifier classifier, int batch, int size, int steps)
    {
        using var state = classifier.InitialState(batch, size, size);
        using var frames = rand([batch, 3, size, size]);
        var times = new List<double>(steps);
        for (int i = 0; i < settings.Warmup + steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            classifier.Step(frames, state)?.Dispose();
            if (i >= settings.Warmup) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return LatencyStats.Of(times);
    }

    /// <summary>
    /// `classify` end to end on an encoded clip, as the command runs it: ffmpeg decoding on its own thread, frame conversion,
    /// the compiled step and the running top-k — frames per second of wall time, beside the compiled step alone.
    /// </summary>
    private void MeasureClassify(string name, IVideoClassifier compiled, int size, BenchResults results)
    {
        if (!FfmpegAvailable()) { log("classify end to end: skipped (no ffmpeg)"); return; }
        int frames = settings.ClassifyFrames;
        string folder = Path.Combine(Path.GetTempPath(), $"movisharp-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string clipPath = Path.Combine(folder, "clip.mp4");
            FfmpegClipEncoder.Write(clipPath, SyntheticClipRenderer.Render(0, 1, 0, frames, size + size % 2));
            set_num_threads(1);
            var options = VideoSourceOptions.For(compiled.Preprocessing) with { Width = size, Height = size };
            using (var session = new StreamingSession(compiled, size, size))
            using (var warm = FfmpegFrameSource.Open(clipPath, options with { MaxFrames = settings.Warmup }))
                OnlineClassification.Run(session, warm.ReadFrames().Select(ToTensor), 5);
            // Steady state, first frame to last: the ffmpeg process start (once per input) is not a per-frame cost.
            long first = 0, last = 0;
            OnlineResult outcome;
            using (var session = new StreamingSession(compiled, size, size))
            using (var source = FfmpegFrameSource.Open(clipPath, options))
                outcome = OnlineClassification.Run(session, source.ReadFrames().Select(ToTensor), 5, s =>
                {
                    last = Stopwatch.GetTimestamp();
                    if (s.FramesSeen == 1) first = last;
                });
            double seconds = Stopwatch.GetElapsedTime(first, last).TotalSeconds * outcome.Frames / Math.Max(1, outcome.Frames - 1);
            var engine = results.At(name, "engine", 1);
            var e2e = new ClassifyThroughput(name, size, outcome.Frames, seconds, engine?.Stats.Median ?? double.NaN);
            results.Classify.Add(e2e);
            log($"{name}-stream classify end to end: {e2e.FramesPerSecond:F1} frames/s ({e2e.MsPerFrame:F2} ms/frame vs compiled step {e2e.EngineMsPerFrame:F2} ms, {e2e.Overhead:+0%;-0%})");
        }
        finally { Directory.Delete(folder, recursive: true); }

        static Tensor ToTensor(VideoFrame frame)
        {
            using (frame) return FrameConversion.ToFrameTensor(frame);
        }
    }

    private static bool FfmpegAvailable()
    {
        try { FfmpegLocator.FindFfmpeg(); return true; }
        catch (FfmpegNotFoundException) { return false; }
    }

    private void MeasureClips(string name, BenchResults results)
    {
        using var model = ModelRegistry.Create($"{name}-base", settings.Classes);
        model.eval();
        int size = settings.SizeOf(model.Config);
        long macs = model.Trace(settings.ClipFrames, size, size).MultiplyAdds;
        using var compiled = ModelCompiler.Compile(model);
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
                    compiled.ClipLogits(clip);
                if (i > 0) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            var c = new ClipThroughput(name, threads, size, settings.ClipFrames, macs, LatencyStats.Of(times), results.PeakGflops[threads]);
            results.Clips.Add(c);
            log($"{name}-base {settings.ClipFrames}×{size}² clip, {threads}t: {c.ClipMs.Median:F0} ms ({c.FramesPerSecond:F1} frames/s)");
        }
    }

    private void MeasureBatches(string name, BenchResults results)
    {
        using var model = ModelRegistry.Create($"{name}-stream", settings.Classes);
        model.eval();
        int size = settings.SizeOf(model.Config);
        using var compiled = ModelCompiler.Compile(model);
        foreach (int threads in settings.Threads)
        {
            set_num_threads(threads);
            foreach (int batch in settings.Batches)
            {
                int steps = Math.Max(settings.Quick ? 3 : 10, settings.Frames / batch);
                var stats = TimeSteps(compiled, batch, size, steps);
                var b = new BatchThroughput(name, threads, batch, size, stats);
                results.Batches.Add(b);
                log($"{name}-stream compiled, {batch} streams, {threads}t: {stats.Median:F2} ms/step, {b.FramesPerSecond:F0} frames/s");
            }
        }
    }

    private void MeasureMemory(BenchResults results)
    {
        string name = settings.MemoryModel;
        var config = ModelRegistry.Config($"{name}-stream");
        int size = settings.SizeOf(config);
        foreach (var (kind, label) in new[]
                 {
                     (MemoryProbe.StreamEngine, "compiled model, frame by frame"),
                     (MemoryProbe.StreamEngineSmallGen0, "compiled model, DOTNET_GCgen0size=2 MB"),
                     (MemoryProbe.StreamPlain, "plain model, frame by frame"),
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
