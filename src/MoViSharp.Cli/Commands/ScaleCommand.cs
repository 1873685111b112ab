using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Cli.Search;
using MoViSharp.Families.MoViNets;
using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Models;
using MoViSharp.IO;
using MoViSharp.Search;
using MoViSharp.Weights;
using TorchSharp;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp scale`: compound scaling around a base architecture (a found one, a published MoViNet such as a0 or a published
/// TVN such as tvn1, in a space of its kind) — random
/// search over width and depth multipliers, resolution, frames and frame stride under a hard cost limit, each draw trained with
/// the same brief budget as `search`. Writes scale-log.csv/json (usable as `search --baselines`), pareto.png and best/. The log
/// is rewritten after every proposal, so a stopped or crashed run resumes when the same command is run again: the log's
/// proposals are kept and the draws continue after them.
/// </summary>
public static class ScaleCommand
{
    public static Command Create()
    {
        var setup = new SearchSetup();
        var basePoint = new Option<string>("--base") { Description = "A published model of the space's kind (a0, a1, a2: their stream points; tvn1…tvn4) or an architecture.json", Required = true };
        var samples = new Option<int>("--samples") { Description = "Scalings to train", DefaultValueFactory = _ => 12 };
        var widths = new Option<string>("--widths") { Description = "Width multipliers to draw from", DefaultValueFactory = _ => "0.25,0.375,0.5,0.625,0.75,1,1.25" };
        var depths = new Option<string>("--depths") { Description = "Depth multipliers to draw from", DefaultValueFactory = _ => "0.25,0.5,0.75,1,1.25" };
        var command = new Command("scale", "Compound scaling: random search over width/depth multipliers, resolution and frame rate around a base under a cost limit.")
        {
            basePoint, samples, widths, depths,
        };
        setup.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            var space = SearchSpaces.Load(result.GetValue(setup.Space)!) as IScalableSearchSpace
                ?? throw new CliException("scale needs a MoViNet or TVN space.");
            string b = result.GetValue(basePoint)!;
            var start = BasePoint(space, b);
            var axes = space.InputAxes;
            var choices = new ScalingChoices(Doubles(result.GetValue(widths)!, "--widths"), Doubles(result.GetValue(depths)!, "--depths"),
                axes.Resolutions, axes.Frames, axes.FrameStrides);
            var scaled = space.ScalingSpace(start);
            var (train, val) = setup.Datasets(result);
            if (result.GetValue(setup.Threads) is int n) torch.set_num_threads(Math.Max(1, n));
            var (cost, limit) = setup.CostAndLimit(result, scaled, train.Classes.Count);
            if (limit is null) throw new CliException($"Give the hard limit for --cost {cost.Name}.");
            string outDir = result.GetValue(setup.Output)!;
            string best = Path.Combine(outDir, "best");
            Directory.CreateDirectory(best);
            AtomicFile.WriteAllText(Path.Combine(outDir, "command.txt"), "movisharp " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) + "\n");
            long seed = result.GetValue(setup.Seed);
            var resumed = Resumed(outDir, b, space.Kind, cost.Name, limit.Value, seed);
            if (resumed.Count > 0)
                Console.Error.WriteLine($"Resuming {Path.Combine(outDir, "scale-log.json")}: its {resumed.Count} proposals ({resumed.Count(h => h.Trained)} trained) are kept.");
            var search = new ScalingSearch(space, start, cost, new BriefTrainingEvaluator(scaled, train, val, setup.Training(result)), choices, limit.Value, seed);
            var clock = Stopwatch.StartNew();
            search.NewBest += (entry, model) =>
            {
                MoViSharpCheckpoint.Save(Path.Combine(best, "model.safetensors"), model, train.Classes);
                AtomicFile.WriteAllText(Path.Combine(best, "config.json"), ModelConfigFile.Write(model.Config) + "\n");
                AtomicFile.WriteAllText(Path.Combine(best, "architecture.json"), entry.Architecture.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            };
            search.Proposed += (entry, history) =>
            {
                Console.Error.WriteLine($"#{entry.Id} {entry.Change}: {(entry.Feasible ? $"top-1 {entry.Accuracy:P1}, {SearchSetup.F(entry.Cost)} {cost.Unit}" : $"rejected ({SearchSetup.F(entry.Cost)} {cost.Unit})")} | {clock.Elapsed.TotalMinutes:F1} min");
                Write(outDir, history, cost, limit.Value, b, space.Kind, seed);
            };
            var history = search.Run(result.GetValue(samples), resumed: resumed);
            Write(outDir, history, cost, limit.Value, b, space.Kind, seed);
            var winner = history.Where(h => h.Trained).OrderByDescending(h => h.Accuracy).ThenBy(h => h.Cost).FirstOrDefault();
            Console.WriteLine(winner is null ? "No scaling met the limit." : $"Best scaling: {winner.Change}: top-1 {winner.Accuracy:P1} at {SearchSetup.F(winner.Cost)} {cost.Unit}");
            return winner is null ? 1 : 0;
        }));
        return command;
    }

    /// <summary>The proposals of OUT/scale-log.json when it exists, after checking it is a log of the same scaling.</summary>
    private static IReadOnlyList<EvaluatedArchitecture> Resumed(string outDir, string baseName, string spaceKind, string cost, double limit, long seed)
    {
        string path = Path.Combine(outDir, "scale-log.json");
        if (!File.Exists(path)) return [];
        var (header, history) = ReadLog(path);
        void Same<T>(string key, T expected, T? actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new CliException($"{path}: the log was written with {key} {actual}, this run has {expected}; use another --out to start a new scaling.");
        }
        Same("base", baseName, header["base"]?.GetValue<string>());
        Same("space kind", spaceKind, header["space_kind"]?.GetValue<string>() ?? MoViNetSearchSpace.KindName);
        Same("cost", cost, header["cost"]?.GetValue<string>());
        Same("cost limit", limit, header["cost_limit"]?.GetValue<double>());
        if (header["seed"] is not null) Same("seed", seed, header["seed"]!.GetValue<long>());
        return history;
    }

    private static (JsonObject Header, List<EvaluatedArchitecture> History) ReadLog(string path)
    {
        var o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CliException($"{path}: not a scale log.");
        string kind = o["space_kind"]?.GetValue<string>() ?? MoViNetSearchSpace.KindName;     // logs before TVN scaling hold MoViNet points
        var history = (o["history"] as JsonArray ?? throw new CliException($"{path}: no 'history'."))
            .Select((h, i) => EvaluatedArchitecture.FromJson(h, $"{path}: history[{i}]", kind == TvnSearchSpace.KindName ? TvnSearchSpace.Default : null)).ToList();
        return (o, history);
    }

    private static void Write(string outDir, IReadOnlyList<EvaluatedArchitecture> history, IArchitectureCost cost, double limit, string baseName, string spaceKind, long seed)
    {
        SearchLog.WriteCsv(Path.Combine(outDir, "scale-log.csv"), history, cost.Unit);
        SearchLog.WriteJson(Path.Combine(outDir, "scale-log.json"), history, new JsonObject
        {
            ["algorithm"] = "compound-scaling", ["space_kind"] = spaceKind, ["base"] = baseName, ["cost"] = cost.Name, ["cost_unit"] = cost.Unit, ["cost_limit"] = limit,
            ["seed"] = seed,
        });
        SearchPlots.WritePareto(Path.Combine(outDir, "pareto.png"), history, $"{cost.Name} ({cost.Unit})", limit, [], $"Compound scaling of {baseName}");
    }

    /// <summary>The Pareto front of a scale log, as plot baselines.</summary>
    public static IReadOnlyList<PlotBaseline> ReadBaselines(string path)
    {
        var (o, history) = ReadLog(path);
        string name = o["base"]?.GetValue<string>() ?? "base";
        return ParetoFront.Of(history).Select(h => new PlotBaseline($"scaled {name}: {h.Change}", h.Cost, h.Accuracy)).ToList();
    }

    /// <summary>The base: an architecture.json of the space's kind, or a published model (a0…a2 stream points; tvn1…tvn4).</summary>
    private static ISearchPoint BasePoint(IScalableSearchSpace space, string b)
    {
        if (File.Exists(b)) return space.PointFromJson(JsonNode.Parse(File.ReadAllText(b)), b);
        switch (space)
        {
            case TvnSearchSpace:
                if (!TvnSpecs.Names.Contains(b)) throw new CliException($"--base: '{b}' is neither a file nor a published TVN (known: {string.Join(", ", TvnSpecs.Names)}).");
                var c = TvnSpecs.Get(b);
                return new TvnArchitecture(c.Blocks.ToList(), c.Frames, c.FrameStride, c.ImageSize);
            default:
                var (point, reason) = MoViNetSearchSpace.Default.FromConfig(MoViNetSpecs.Get(b, MoViNetVariant.Stream), 1);
                return point ?? throw new CliException($"{b}-stream is not a point of the MoViNet space: {reason}.");
        }
    }

    private static List<double> Doubles(string text, string option) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? v : throw new CliException($"{option}: '{t}' is not a positive number."))
        .ToList();
}
