using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;
using MoViSharp.Inference;
using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>One validated architecture: the table's prediction against the whole network's measured latency.</summary>
/// <see cref="CachedFraction"/>: the share of the prediction from entries measured before this network was seen (in other networks).
public sealed record LatencySample(MoViNetArchitecture Architecture, int Threads, double PredictedMs, double MeasuredMs, double MegaMacs, double CachedFraction)
{
    public double RelativeError => Math.Abs(PredictedMs - MeasuredMs) / MeasuredMs;
}

/// <summary>
/// Validates the per-layer latency predictor: random causal points of a space, each predicted from the table (measuring missing
/// layers) and measured whole through the compiled classifier, per thread count; reports median and worst relative error with
/// the load average before and after (the machine's other work shows up as error).
/// </summary>
public sealed class LatencyValidation
{
    public required MoViNetSearchSpace Space { get; init; }
    public int Classes { get; init; } = 600;
    public int Samples { get; init; } = 30;
    public long Seed { get; init; } = 1;
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];
    public int Repeats { get; init; } = 15;
    public CompileOptions CompileOptions { get; init; } = CompileOptions.Default;
    public TimingClock Clock { get; init; } = TimingClock.Wall;
    /// <summary>The table file per thread count (null: not cached).</summary>
    public Func<int, string?> TablePath { get; init; } = _ => null;
    /// <summary>
    /// Given architectures to measure instead of <see cref="Samples"/> random ones (e.g. a search's best and its baseline, timed
    /// side by side in one run). They are made causal like the random ones; a point outside <see cref="Space"/> is allowed.
    /// </summary>
    public IReadOnlyList<MoViNetArchitecture>? Points { get; init; }

    public LatencyValidationReport Run(Action<string>? log = null)
    {
        var causal = Space with { Causal = [true] };
        var random = new SplitMix64((ulong)Seed);
        var points = Points?.Select(p => p with { Causal = true }).ToList()
            ?? Enumerable.Range(0, Samples).Select(_ => ArchitectureSampler.Sample(causal, ref random)).ToList();
        var samples = new List<LatencySample>();
        string loadBefore = LoadAverage();
        var started = DateTime.UtcNow;
        foreach (int threads in Threads)
        {
            string? path = TablePath(threads);
            var table = path is null ? new LatencyTable(LatencyTable.ThisMachine(), threads, LatencyTable.Describe(CompileOptions, Clock)) : LatencyTable.LoadOrCreate(path, threads, CompileOptions, Clock);
            var cost = new LatencyCost(causal, Classes, table, CompileOptions, path, Repeats, Clock);
            for (int i = 0; i < points.Count; i++)
            {
                var a = points[i];
                var known = table.Entries.Keys.ToHashSet();
                var parts = cost.Predict(a);
                double predicted = parts.Sum(p => p.Ms), cached = parts.Where(p => known.Contains(p.Key)).Sum(p => p.Ms) / predicted;
                using var model = ModelRegistry.Build(causal.ToConfig(a, Classes));
                double macs = MacsCost.PerFrame(model, a) / 1e6;
                double measured = NetworkLatency.Measure(model, a.Resolution, threads, CompileOptions, Repeats, Clock);
                var sample = new LatencySample(a, threads, predicted, measured, macs, cached);
                samples.Add(sample);
                log?.Invoke($"{threads}t [{i + 1}/{points.Count}] {a.Resolution}², {a.LayerCount} layers, {macs:F0} MMACs: predicted {predicted:F2} ms, measured {measured:F2} ms ({sample.RelativeError:P1}); {cached:P0} of it cached; table {table.Entries.Count} layers");
            }
        }
        return new LatencyValidationReport(LatencyTable.ThisMachine(), Space.Name, Seed, Repeats, LatencyTable.Describe(CompileOptions, Clock), samples,
            loadBefore, LoadAverage(), (DateTime.UtcNow - started).TotalSeconds);
    }

    /// <summary>/proc/loadavg's three averages, or "n/a".</summary>
    public static string LoadAverage()
    {
        try { return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a"; }
        catch (IOException) { return "n/a"; }
    }
}

/// <summary>The outcome of a <see cref="LatencyValidation"/>, as JSON and Markdown.</summary>
public sealed record LatencyValidationReport(string Machine, string Space, long Seed, int Repeats, string Options, IReadOnlyList<LatencySample> Samples,
    string LoadBefore, string LoadAfter, double Seconds)
{
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public IEnumerable<(int Threads, int Count, double Median, double Worst, double Bias, double Cached)> Summary() =>
        Samples.GroupBy(s => s.Threads).Select(g => (g.Key, g.Count(), Median(g.Select(s => s.RelativeError)), g.Max(s => s.RelativeError),
            Median(g.Select(s => s.PredictedMs / s.MeasuredMs - 1)), Median(g.Select(s => s.CachedFraction))));

    public string ToJsonText() => new JsonObject
    {
        ["machine"] = Machine,
        ["space"] = Space,
        ["seed"] = Seed,
        ["repeats"] = Repeats,
        ["options"] = Options,
        ["load_average_before"] = LoadBefore,
        ["load_average_after"] = LoadAfter,
        ["seconds"] = Math.Round(Seconds, 1),
        ["summary"] = new JsonArray(Summary().Select(s => (JsonNode)new JsonObject
        {
            ["threads"] = s.Threads, ["architectures"] = s.Count, ["median_relative_error"] = Math.Round(s.Median, 4),
            ["worst_relative_error"] = Math.Round(s.Worst, 4), ["median_signed_error"] = Math.Round(s.Bias, 4), ["median_cached_fraction"] = Math.Round(s.Cached, 3),
        }).ToArray()),
        ["samples"] = new JsonArray(Samples.Select(s => (JsonNode)new JsonObject
        {
            ["threads"] = s.Threads, ["predicted_ms"] = Math.Round(s.PredictedMs, 4), ["measured_ms"] = Math.Round(s.MeasuredMs, 4),
            ["mmacs"] = Math.Round(s.MegaMacs, 2), ["cached_fraction"] = Math.Round(s.CachedFraction, 3), ["architecture"] = s.Architecture.ToJson(),
        }).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Machine: {Machine}; space `{Space}` (causal points), seed {Seed}, {Repeats} timed steps per measurement, {Options}.");
        sb.AppendLine($"Load average before: {LoadBefore}; after: {LoadAfter}; {Seconds / 60:F1} min.");
        sb.AppendLine();
        sb.AppendLine("| threads | architectures | median relative error | worst relative error | median signed error (predicted/measured − 1) | median share of the prediction from layers measured in earlier networks |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in Summary())
            sb.AppendLine($"| {s.Threads} | {s.Count} | {s.Median:P1} | {s.Worst:P1} | {s.Bias:+0.0%;-0.0%} | {s.Cached:P0} |");
        return sb.ToString();
    }
}
