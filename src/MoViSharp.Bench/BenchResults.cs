using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoViSharp.Bench;

/// <summary>Per-frame latency of one stream model on one path ("plain" = the model's own Step, "engine" = the compiled model).</summary>
public sealed record StreamLatency(string Model, string Path, int Threads, int Size, long MacsPerFrame, LatencyStats Stats, double PeakGflops,
    double CpuMsMedian = double.NaN)
{
    public double Gflops => 2.0 * MacsPerFrame / (Stats.Median / 1e3) / 1e9;
    public double FractionOfPeak => PeakGflops > 0 ? Gflops / PeakGflops : 0;
}

/// <summary>`classify` end to end (decode on its own thread, conversion, compiled step, top-k) against the compiled step alone.</summary>
public sealed record ClassifyThroughput(string Model, int Size, int Frames, double Seconds, double EngineMsPerFrame)
{
    public double FramesPerSecond => Frames / Seconds;
    public double MsPerFrame => Seconds * 1e3 / Frames;
    /// <summary>How much longer a frame takes end to end than the compiled step alone (0.25 = 25 % longer).</summary>
    public double Overhead => MsPerFrame / EngineMsPerFrame - 1;
}

/// <summary>A model's published accuracy beside its cost measured in this run (compiled path, one thread, its own input).</summary>
public sealed record ModelComparison(string Model, string Family, int Frames, int Size, bool Streams, long Parameters, long MacsPerClip,
    double MsPerClip, double? Top1, string? LabelSet, double PeakGflops, double? OnnxMsPerClip = null)
{
    public double Gflops => 2.0 * MacsPerClip / (MsPerClip / 1e3) / 1e9;
    public double FractionOfPeak => PeakGflops > 0 ? Gflops / PeakGflops : 0;
}

/// <summary>Whole-clip throughput of a base model.</summary>
public sealed record ClipThroughput(string Model, int Threads, int Size, int ClipFrames, long MacsPerClip, LatencyStats ClipMs, double PeakGflops)
{
    public double FramesPerSecond => ClipFrames / (ClipMs.Median / 1e3);
    public double Gflops => 2.0 * MacsPerClip / (ClipMs.Median / 1e3) / 1e9;
    public double FractionOfPeak => PeakGflops > 0 ? Gflops / PeakGflops : 0;
}

/// <summary>Throughput of B streams advanced together by one engine.</summary>
public sealed record BatchThroughput(string Model, int Threads, int Batch, int Size, LatencyStats StepMs)
{
    public double FramesPerSecond => Batch / (StepMs.Median / 1e3);
}

/// <summary>Resident memory after a number of frames; <see cref="Skipped"/> says why a frame count was not run.</summary>
public sealed record MemorySeries(string Name, string Model, string Description)
{
    public SortedDictionary<int, (double RssMb, double HwmMb)> Points { get; } = [];
    public SortedDictionary<int, string> Skipped { get; } = [];
}

/// <summary>A goal of the issue with its measured value.</summary>
public sealed record GoalResult(string Goal, string Target, string Measured, bool? Met, string Why);

/// <summary>Everything one `movisharp bench` run measured.</summary>
public sealed class BenchResults
{
    public required DateTime StartedUtc { get; init; }
    public required bool Quick { get; init; }
    public required int Frames { get; init; }
    public required int Warmup { get; init; }
    public required double[] LoadBefore { get; init; }
    public double[] LoadAfter { get; set; } = [];
    public int Cores { get; init; } = Environment.ProcessorCount;
    public SortedDictionary<int, double> PeakGflops { get; } = [];
    public List<StreamLatency> Latency { get; } = [];
    public Dictionary<string, double> EngineMaxAbsDiff { get; } = [];
    public Dictionary<string, int> TunedThreads { get; } = [];
    /// <summary>Largest |ONNX Runtime − plain| logit difference per model and path (the fp32 forms; int8 differs by design).</summary>
    public Dictionary<(string Model, string Path), double> OnnxMaxAbsDiff { get; } = [];
    /// <summary>Per clip model: the largest |logit| of the compiled path on the clip its ONNX row compared (the scale of that difference).</summary>
    public Dictionary<string, double> OnnxClipLogitScale { get; } = [];
    /// <summary>Per model: bottlenecks whose depthwise feature the engine runs with the hand-written kernel, of all.</summary>
    public Dictionary<string, (int Simd, int Layers)> SimdLayers { get; } = [];
    public List<ClipThroughput> Clips { get; } = [];
    public List<ClassifyThroughput> Classify { get; } = [];
    public List<ModelComparison> Comparison { get; } = [];
    public List<BatchThroughput> Batches { get; } = [];
    public List<ContinualSpeedup> Continual { get; } = [];
    public List<ContinualTransientSeries> Transients { get; } = [];
    public List<MemorySeries> Memory { get; } = [];
    public List<GoalResult> Goals { get; } = [];

    /// <summary>The best (lowest median) latency of a model on a path over the thread counts measured.</summary>
    public StreamLatency? Best(string model, string path) =>
        Latency.Where(l => l.Model == model && l.Path == path).MinBy(l => l.Stats.Median);

    public StreamLatency? At(string model, string path, int threads) =>
        Latency.FirstOrDefault(l => l.Model == model && l.Path == path && l.Threads == threads);

    private static string Key(int n) => n.ToString(CultureInfo.InvariantCulture);
    private static double R(double v, int digits = 4) => Math.Round(v, digits);

    /// <summary>
    /// The JSON document. Documented keys: machine{cores, load_before, load_after, peak_gflops{threads}};
    /// stream_latency{model}{plain|engine|onnx-plain|onnx-ring|onnx-int8…}{ms_per_frame_median, ms_per_frame_p90, ms_per_frame_p99,
    /// threads, gflops, thread_cpu_ms_per_frame_median, fraction_of_peak, by_threads{n}{…}}, engine_max_abs_diff,
    /// onnx-plain_max_abs_diff, onnx-ring_max_abs_diff; classify_end_to_end{model}{frames_per_s, ms_per_frame, engine_ms_per_frame,
    /// overhead, frames}; model_comparison{model}{family, frames, size, streams, params, gmacs_per_clip, ms_per_clip, gflops,
    /// fraction_of_peak, published_top1, label_set, onnx_ms_per_clip, onnx_clip_max_abs_diff, onnx_clip_max_abs_logit}; base_throughput{model}{threads}{frames_per_s, ms_per_clip_median, …};
    /// batched_throughput{model}{threads}{batch}{frames_per_s, ms_per_step_median}; memory{series}{model, rss_mb{frames},
    /// hwm_mb{frames}, skipped{frames}}; continual_speedup{model}{base, window_frames, size, delay, receptive_field, gmacs_per_step,
    /// gmacs_per_clip, mac_reduction, published_reduction, ms_per_step, ms_per_clip, time_reduction, state_mb}; continual_transient{model}{zeros|replicate}{size,
    /// receptive_field, frames_below_1e-2, frames_below_1e-4, relative_distance[]}; goals[{goal, target, measured, met, why}].
    /// </summary>
    public JsonObject ToJson()
    {
        JsonObject LatencyNode(StreamLatency l) => new()
        {
            ["ms_per_frame_median"] = R(l.Stats.Median), ["ms_per_frame_p90"] = R(l.Stats.P90), ["ms_per_frame_p99"] = R(l.Stats.P99),
            ["threads"] = l.Threads, ["size"] = l.Size, ["samples"] = l.Stats.Samples, ["macs_per_frame"] = l.MacsPerFrame,
            ["gflops"] = R(l.Gflops, 2), ["fraction_of_peak"] = R(l.FractionOfPeak),
            ["thread_cpu_ms_per_frame_median"] = double.IsNaN(l.CpuMsMedian) ? null : R(l.CpuMsMedian),
        };
        var latency = new JsonObject();
        foreach (var model in Latency.Select(l => l.Model).Distinct())
        {
            var perModel = new JsonObject();
            foreach (var path in Latency.Where(l => l.Model == model).Select(l => l.Path).Distinct())
            {
                var node = LatencyNode(Best(model, path)!);
                var byThreads = new JsonObject();
                foreach (var l in Latency.Where(l => l.Model == model && l.Path == path)) byThreads[Key(l.Threads)] = LatencyNode(l);
                node["by_threads"] = byThreads;
                perModel[path] = node;
            }
            if (EngineMaxAbsDiff.TryGetValue(model, out var diff)) perModel["engine_max_abs_diff"] = diff;
            foreach (var ((m, path), onnxDiff) in OnnxMaxAbsDiff)
                if (m == model) perModel[$"{path}_max_abs_diff"] = onnxDiff;
            if (TunedThreads.TryGetValue(model, out var tuned)) perModel["engine_tuned_threads"] = tuned;
            if (SimdLayers.TryGetValue(model, out var simd)) perModel["engine_simd_layers"] = $"{simd.Simd}/{simd.Layers}";
            latency[model] = perModel;
        }

        var clips = new JsonObject();
        foreach (var group in Clips.GroupBy(c => c.Model))
        {
            var perModel = new JsonObject();
            foreach (var c in group)
                perModel[Key(c.Threads)] = new JsonObject
                {
                    ["frames_per_s"] = R(c.FramesPerSecond, 2), ["ms_per_clip_median"] = R(c.ClipMs.Median, 2), ["clip_frames"] = c.ClipFrames,
                    ["size"] = c.Size, ["gflops"] = R(c.Gflops, 2), ["fraction_of_peak"] = R(c.FractionOfPeak),
                };
            clips[group.Key] = perModel;
        }

        var classify = new JsonObject();
        foreach (var c in Classify)
            classify[c.Model] = new JsonObject
            {
                ["frames_per_s"] = R(c.FramesPerSecond, 2), ["ms_per_frame"] = R(c.MsPerFrame), ["engine_ms_per_frame"] = R(c.EngineMsPerFrame),
                ["overhead"] = R(c.Overhead), ["frames"] = c.Frames, ["size"] = c.Size,
            };

        var comparison = new JsonObject();
        foreach (var c in Comparison)
            comparison[c.Model] = new JsonObject
            {
                ["family"] = c.Family, ["frames"] = c.Frames, ["size"] = c.Size, ["streams"] = c.Streams, ["params"] = c.Parameters,
                ["gmacs_per_clip"] = R(c.MacsPerClip / 1e9, 3), ["ms_per_clip"] = R(c.MsPerClip, 2), ["gflops"] = R(c.Gflops, 2),
                ["fraction_of_peak"] = R(c.FractionOfPeak), ["published_top1"] = c.Top1, ["label_set"] = c.LabelSet,
                ["onnx_ms_per_clip"] = c.OnnxMsPerClip is { } o ? R(o, 2) : null,
                ["onnx_clip_max_abs_diff"] = OnnxMaxAbsDiff.TryGetValue((c.Model, "onnx-clip"), out var d) ? d : null,
                ["onnx_clip_max_abs_logit"] = OnnxClipLogitScale.TryGetValue(c.Model, out var l) ? l : null,
            };

        var batches = new JsonObject();
        foreach (var byModel in Batches.GroupBy(b => b.Model))
        {
            var perModel = new JsonObject();
            foreach (var byThreads in byModel.GroupBy(b => b.Threads))
            {
                var perThreads = new JsonObject();
                foreach (var b in byThreads)
                    perThreads[Key(b.Batch)] = new JsonObject
                    {
                        ["frames_per_s"] = R(b.FramesPerSecond, 2), ["ms_per_step_median"] = R(b.StepMs.Median), ["ms_per_step_p90"] = R(b.StepMs.P90),
                    };
                perModel[Key(byThreads.Key)] = perThreads;
            }
            batches[byModel.Key] = perModel;
        }

        var memory = new JsonObject();
        foreach (var m in Memory)
        {
            var rss = new JsonObject();
            var hwm = new JsonObject();
            foreach (var (frames, (r, h)) in m.Points) { rss[Key(frames)] = R(r, 1); hwm[Key(frames)] = R(h, 1); }
            var skipped = new JsonObject();
            foreach (var (frames, why) in m.Skipped) skipped[Key(frames)] = why;
            memory[m.Name] = new JsonObject { ["model"] = m.Model, ["description"] = m.Description, ["rss_mb"] = rss, ["hwm_mb"] = hwm, ["skipped"] = skipped };
        }

        var continual = new JsonObject();
        foreach (var c in Continual)
            continual[c.Model] = new JsonObject
            {
                ["base"] = c.Base, ["window_frames"] = c.WindowFrames, ["size"] = c.Size, ["delay"] = c.Delay, ["receptive_field"] = c.ReceptiveField,
                ["gmacs_per_step"] = R(c.StepMacs / 1e9), ["gmacs_per_clip"] = R(c.ClipMacs / 1e9), ["mac_reduction"] = R(c.MacReduction, 2),
                ["published_reduction"] = c.PublishedReduction, ["ms_per_step"] = R(c.StepMs, 2), ["ms_per_clip"] = R(c.ClipMs, 2),
                ["time_reduction"] = R(c.TimeReduction, 2), ["state_mb"] = R(c.StateBytes / 1e6, 2),
            };

        var transients = new JsonObject();
        foreach (var group in Transients.GroupBy(t => t.Model))
        {
            var perModel = new JsonObject();
            foreach (var t in group)
                perModel[t.Fill.ToString().ToLowerInvariant()] = new JsonObject
                {
                    ["size"] = t.Size, ["receptive_field"] = t.ReceptiveField, ["frames_below_1e-2"] = t.FramesBelow(1e-2),
                    ["frames_below_1e-4"] = t.FramesBelow(1e-4),
                    ["relative_distance"] = new JsonArray(t.Distance.Select(d => (JsonNode)Math.Round(d, 6)).ToArray()),
                };
            transients[group.Key] = perModel;
        }

        var peak = new JsonObject();
        foreach (var (threads, g) in PeakGflops) peak[Key(threads)] = R(g, 2);
        return new JsonObject
        {
            ["generated_utc"] = StartedUtc.ToString("O", CultureInfo.InvariantCulture),
            ["quick"] = Quick, ["frames"] = Frames, ["warmup"] = Warmup,
            ["machine"] = new JsonObject
            {
                ["cores"] = Cores, ["load_before"] = new JsonArray(LoadBefore.Select(v => (JsonNode)v).ToArray()),
                ["load_after"] = new JsonArray(LoadAfter.Select(v => (JsonNode)v).ToArray()), ["peak_gflops"] = peak,
            },
            ["stream_latency"] = latency,
            ["classify_end_to_end"] = classify,
            ["model_comparison"] = comparison,
            ["base_throughput"] = clips,
            ["batched_throughput"] = batches,
            ["memory"] = memory,
            ["continual_speedup"] = continual,
            ["continual_transient"] = transients,
            ["goals"] = new JsonArray(Goals.Select(g => (JsonNode)new JsonObject
            {
                ["goal"] = g.Goal, ["target"] = g.Target, ["measured"] = g.Measured, ["met"] = g.Met, ["why"] = g.Why,
            }).ToArray()),
        };
    }

    public string ToJsonText() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
