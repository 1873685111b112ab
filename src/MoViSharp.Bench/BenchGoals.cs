using System.Globalization;

namespace MoViSharp.Bench;

/// <summary>The issue's targets, judged on what this run measured (not judged where the run did not measure them).</summary>
public static class BenchGoals
{
    private static readonly (string Model, int Size, double Ms)[] LatencyTargets = [("a0", 172, 2.0), ("a1", 172, 5.0), ("a2", 224, 8.0)];

    private static readonly (string Model, int Size, double Ms)[] OnnxTargets = [("a0", 172, 3.5), ("a1", 172, 7.0), ("a2", 224, 11.0)];

    /// <summary>The ONNX Runtime issue's targets: fp32 ring form per frame, its ratio to the compiled path in the same run, int8.</summary>
    private static void OnnxGoals(BenchResults r, string load)
    {
        foreach (var (model, size, ms) in OnnxTargets)
        {
            var ring = r.At(model, "onnx-ring", 1);
            string goal = $"{model.ToUpperInvariant()}-Stream fp32 ONNX Runtime ≤ {ms} ms/frame at {size}², one thread";
            if (ring is null || ring.Size != size) { r.Goals.Add(new(goal, $"≤ {ms} ms", "not measured", null, "model, size or backend not in this run")); continue; }
            r.Goals.Add(new(goal, $"≤ {ms} ms", $"{ring.Stats.Median:F2} ms (thread CPU {ring.CpuMsMedian:F2} ms)", ring.Stats.Median <= ms,
                $"ring form, wall-clock median{load}; the CPU time is the work without waiting for a core"));
            if (model != "a0") continue;
            var engine = r.At(model, "engine", 1);
            if (engine is null) continue;
            double ratio = engine.Stats.Median / ring.Stats.Median, cpuRatio = engine.CpuMsMedian / ring.CpuMsMedian;
            r.Goals.Add(new("A0-Stream ONNX Runtime ≥ 1.8× the compiled TorchSharp path, same run", "≥ 1.8×", $"{ratio:F2}× wall, {cpuRatio:F2}× thread CPU",
                ratio >= 1.8, $"{engine.Stats.Median:F2} vs {ring.Stats.Median:F2} ms{load}"));
        }
        foreach (var path in new[] { "onnx-int8-tflite", "onnx-int8-mobile", "onnx-int8" })
        {
            var int8 = r.At(path == "onnx-int8" ? "a0" : "a0-mobile", path, 1);
            if (int8 is null || int8.Size != 172) continue;
            r.Goals.Add(new($"A0-Stream int8 ≤ 2 ms/frame ({path})", "≤ 2 ms", $"{int8.Stats.Median:F2} ms (thread CPU {int8.CpuMsMedian:F2} ms)", int8.Stats.Median <= 2,
                $"one thread{load}; top-1 on the carving-ice clips: docs/onnx.md"));
        }
    }

    public static void Evaluate(BenchResults r, BenchSettings settings)
    {
        string load = r.LoadBefore.Length > 0 ? $" (load average {r.LoadBefore[0].ToString("F1", CultureInfo.InvariantCulture)} at start)" : "";
        foreach (var (model, size, ms) in LatencyTargets)
        {
            var one = r.At(model, "engine", 1);
            string goal = $"{model.ToUpperInvariant()}-Stream ≤ {ms} ms/frame at {size}², one core";
            if (one is null || one.Size != size) { r.Goals.Add(new(goal, $"≤ {ms} ms", "not measured", null, "model or size not in this run")); continue; }
            var plain = r.At(model, "plain", 1);
            bool met = one.Stats.Median <= ms;
            string why = met
                ? $"engine median {one.Stats.Median:F2} ms{load}"
                : $"engine median {one.Stats.Median:F2} ms vs plain {plain?.Stats.Median:F2} ms{load}; {one.FractionOfPeak:P0} of one core's peak. " +
                  "Remaining cost: eager per-op dispatch (~20 ops per bottleneck) and bandwidth-bound depthwise convs that libtorch runs far below peak.";
            r.Goals.Add(new(goal, model == "a0" ? $"≤ {ms} ms (floor 0.87 ms)" : $"≤ {ms} ms", $"{one.Stats.Median:F2} ms", met, why));
        }

        OnnxGoals(r, load);

        foreach (var c in r.Classify)
        {
            string goal = $"{c.Model.ToUpperInvariant()}-Stream `classify` end to end within 25 % of the compiled step";
            bool met = c.Overhead <= 0.25;
            r.Goals.Add(new(goal, "≤ +25 %", $"{c.MsPerFrame:F2} vs {c.EngineMsPerFrame:F2} ms/frame ({c.Overhead:+0%;-0%})", met,
                met ? $"decoding runs on its own thread, ahead of the model{load}" : $"decode, conversion and top-k cost more than a quarter of a step here{load}"));
        }

        var batch1 = r.Batches.Where(b => b.Batch == 1).MaxBy(b => b.FramesPerSecond);
        var batch16 = r.Batches.Where(b => b.Batch == 16).MaxBy(b => b.FramesPerSecond);
        if (batch1 is not null && batch16 is not null)
        {
            double ratio = batch16.FramesPerSecond / batch1.FramesPerSecond;
            r.Goals.Add(new($"16 batched {batch1.Model.ToUpperInvariant()} streams ≥ 3× the frames/s of one", "≥ 3×", $"{ratio:F2}× ({batch16.FramesPerSecond:F0} vs {batch1.FramesPerSecond:F0} frames/s, best thread count each)",
                ratio >= 3, ratio >= 3 ? $"batching amortises per-op dispatch over the streams{load}" : $"batching only amortises per-op dispatch; the convolution work grows with the streams{load}"));
        }
        else r.Goals.Add(new("16 batched streams ≥ 3× one stream", "≥ 3×", "not measured", null, "--quick measures batches 1 and 4 only"));

        var stream = r.Memory.FirstOrDefault(m => m.Name == MemoryProbe.StreamEngine);
        if (stream is not null && stream.Points.TryGetValue(500, out var at500) && stream.Points.TryGetValue(5000, out var at5000))
        {
            double change = (at5000.RssMb - at500.RssMb) / at500.RssMb;
            string capped = "";
            var small = r.Memory.FirstOrDefault(m => m.Name == MemoryProbe.StreamEngineSmallGen0);
            if (small is not null && small.Points.TryGetValue(500, out var s500) && small.Points.TryGetValue(5000, out var s5000))
                capped = $"; with DOTNET_GCgen0size=2 MB: {(s5000.RssMb - s500.RssMb) / s500.RssMb:+0.0%;-0.0%} ({s500.RssMb:F0} → {s5000.RssMb:F0} MB)";
            string why = Math.Abs(change) <= 0.02
                ? "state is preallocated and every step runs in its own dispose scope" + capped
                : "tensor memory is flat (preallocated state, one dispose scope per step); the growth is the .NET GC growing its gen0 budget " +
                  "for the small managed Tensor wrappers each op allocates, and it levels off" + capped;
            r.Goals.Add(new("stream RSS within 2 % between 500 and 5000 frames", "≤ 2 %", $"{change:+0.0%;-0.0%} ({at500.RssMb:F0} → {at5000.RssMb:F0} MB)",
                Math.Abs(change) <= 0.02, why));
        }
        else r.Goals.Add(new("stream RSS within 2 % between 500 and 5000 frames", "≤ 2 %", "not measured", null, $"memory checkpoints were {string.Join("/", settings.MemoryFrames)}"));
    }
}
