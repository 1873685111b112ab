using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Cli.Search;
using MoViSharp.IO;
using MoViSharp.Models;
using MoViSharp.Search;
using MoViSharp.Weights;
using TorchSharp;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp search`: architecture search on this machine's data and hardware. Evolution (TVN/EvaNet-style) under a hard cost
/// limit, resumable (rerun the same command after Ctrl+C or a crash) and deterministic by seed; writes the state, the search log
/// (CSV + JSON), the Pareto plot and the best candidate's architecture, config and briefly trained weights.
/// </summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var setup = new SearchSetup();
        var oneShot = new OneShotRun();
        var algo = new Option<string>("--algo") { Description = "evolution or oneshot (TuNAS-style supernet + REINFORCE controller)", DefaultValueFactory = _ => "evolution" };
        var evaluations = new Option<int>("--evaluations") { Description = "Candidates to train in all", DefaultValueFactory = _ => 40 };
        var population = new Option<int>("--population") { DefaultValueFactory = _ => 8 };
        var tournament = new Option<int>("--tournament") { DefaultValueFactory = _ => 3 };
        var baselines = new Option<string?>("--baselines") { Description = "A `movisharp scale` log (scale-log.json) whose candidates the plot shows as baselines" };
        var initial = new Option<string?>("--initial")
        {
            Description = "Architecture files (architecture.json, comma-separated) that evolution trains first, before random points: e.g. the best network `movisharp scale` found, " +
                          "so that the search starts from a known good region under the limit",
        };
        var retire = new Option<string>("--retire")
        {
            Description = "Which member leaves a full population when a child joins: oldest (aging, regularized evolution) or worst (keeps the best until beaten; suits short searches from --initial)",
            DefaultValueFactory = _ => "oldest",
        };
        var command = new Command("search", "Searches a MoViNet or TVN space for the most accurate network under a cost limit on this machine (evolution, resumable; or one-shot, MoViNet only).")
        {
            algo, evaluations, population, tournament, baselines, initial, retire,
        };
        setup.AddTo(command);
        oneShot.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            string a = result.GetValue(algo)!.ToLowerInvariant();
            if (a == "oneshot") return oneShot.Run(result, setup, result.GetValue(baselines));
            if (a != "evolution") throw new CliException($"--algo must be evolution or oneshot, not '{a}'.");
            var space = SearchSpaces.Load(result.GetValue(setup.Space)!);
            var (train, val) = setup.Datasets(result);
            if (result.GetValue(setup.Threads) is int n) torch.set_num_threads(Math.Max(1, n));
            var (cost, limit) = setup.CostAndLimit(result, space, train.Classes.Count);
            if (limit is null) throw new CliException($"Give the hard limit for --cost {cost.Name}: --target-{(cost.Name == "latency" ? "ms" : cost.Name == "macs" ? "mmacs" : "mparams")}.");
            var settings = new EvolutionSettings
            {
                PopulationSize = result.GetValue(population), TournamentSize = result.GetValue(tournament), MaxEvaluations = result.GetValue(evaluations),
                CostLimit = limit.Value, Seed = result.GetValue(setup.Seed),
                Retire = EvolutionSettings.RetirementNamed(result.GetValue(retire)!)
                         ?? throw new CliException($"--retire must be oldest or worst, not '{result.GetValue(retire)!.ToLowerInvariant()}'."),
            };
            try { settings.Validate(); }
            catch (ArgumentException e) { throw new CliException(e.Message); }
            string outDir = result.GetValue(setup.Output)!;
            string best = Path.Combine(outDir, "best");
            Directory.CreateDirectory(best);
            string statePath = Path.Combine(outDir, "state.json");
            bool resuming = File.Exists(statePath);
            AtomicFile.WriteAllText(Path.Combine(outDir, resuming ? "command-resumed.txt" : "command.txt"),
                "movisharp " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) + "\n");

            var evaluator = new BriefTrainingEvaluator(space, train, val, setup.Training(result));
            var initialPoints = InitialPoints(space, result.GetValue(initial));
            var search = new EvolutionSearch(space, cost, evaluator, settings, statePath, initialPoints);
            var clock = Stopwatch.StartNew();
            int startEvaluations = 0;
            search.NewBest += (entry, model) =>
            {
                MoViSharpCheckpoint.Save(Path.Combine(best, "model.safetensors"), model, train.Classes);
                AtomicFile.WriteAllText(Path.Combine(best, "config.json"), ModelConfigFile.Write(model.Config) + "\n");
                AtomicFile.WriteAllText(Path.Combine(best, "architecture.json"), entry.Architecture.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            };
            search.Proposed += (entry, state) =>
            {
                if (startEvaluations < 0) startEvaluations = state.Evaluations - (entry.Trained && entry.DuplicateOf is null ? 1 : 0);
                var b = state.Best;
                int done = state.Evaluations - startEvaluations;
                double perEval = done > 0 ? clock.Elapsed.TotalSeconds / done : double.NaN;
                double eta = perEval * (settings.MaxEvaluations - state.Evaluations);
                string what = !entry.Feasible ? $"rejected: {SearchSetup.F(entry.Cost)} {cost.Unit} over the limit"
                    : entry.DuplicateOf is { } d ? $"seen before (#{d}): top-1 {entry.Accuracy:P1}"
                    : $"top-1 {entry.Accuracy:P1}, {SearchSetup.F(entry.Cost)} {cost.Unit}, trained in {entry.TrainSeconds:F0} s";
                Console.Error.WriteLine($"[{state.Evaluations}/{settings.MaxEvaluations}] #{entry.Id} {(entry.Parent is { } p ? $"from #{p}, {entry.Change}" : entry.Change)}: {what} | " +
                                        $"best {(b is null ? "-" : $"#{b.Id} {b.Accuracy:P1} at {SearchSetup.F(b.Cost)} {cost.Unit}")} | " +
                                        $"{clock.Elapsed.TotalMinutes:F1} min{(double.IsFinite(eta) ? $", ETA {eta / 60:F0} min" : "")}");
                WriteOutputs(outDir, state, cost, settings, space, result.GetValue(baselines));
            };
            startEvaluations = -1;
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
                Console.Error.WriteLine("Stopping: the state is saved after every candidate; rerun the same command to resume.");
            };
            Console.CancelKeyPress += onCancel;
            Console.Error.WriteLine($"{(resuming ? "Resuming" : "Starting")} evolution over '{space.Name}': {train.Count} training and {val.Count} validation clips in {train.Classes.Count} classes, " +
                                    $"cost {cost.Name} ≤ {SearchSetup.F(limit.Value)} {cost.Unit}, population {settings.PopulationSize}, tournament {settings.TournamentSize}, retiring the {settings.RetireName}, seed {settings.Seed}");
            EvolutionState final;
            try
            {
                final = search.Run(cancel.Token, result.GetValue(setup.Hours) is double h ? TimeSpan.FromHours(h) : null);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException) { throw new CliException(e.Message); }
            finally { Console.CancelKeyPress -= onCancel; }
            WriteOutputs(outDir, final, cost, settings, space, result.GetValue(baselines));
            var winner = final.Best;
            Console.WriteLine(winner is null ? "No candidate was trained."
                : $"Best: #{winner.Id}, top-1 {winner.Accuracy:P1} at {SearchSetup.F(winner.Cost)} {cost.Unit} ({final.Evaluations} candidates, {final.ElapsedSeconds / 60:F1} min): {winner.Architecture}");
            Console.WriteLine($"Wrote {outDir}/search-log.csv, search-log.json, pareto.png, best/");
            return final.Evaluations >= settings.MaxEvaluations || winner is not null ? 0 : 1;
        }));
        return command;
    }

    /// <summary>The --initial architecture files, each checked to be a point of the space.</summary>
    private static List<ISearchPoint> InitialPoints(ISearchSpace space, string? paths)
    {
        var points = new List<ISearchPoint>();
        foreach (string path in (paths ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!File.Exists(path)) throw new CliException($"--initial: {path} does not exist.");
            ISearchPoint point;
            try { point = space.PointFromJson(JsonNode.Parse(File.ReadAllText(path)), path); }
            catch (Exception e) when (e is JsonException or InvalidDataException or ArgumentException) { throw new CliException($"--initial: {path} is not an architecture of the '{space.Name}' space: {e.Message}"); }
            if (space.Violations(point) is { Count: > 0 } v)
                throw new CliException($"--initial: {path} is not a point of the '{space.Name}' space: {string.Join("; ", v)}.");
            points.Add(point);
        }
        return points;
    }

    private static void WriteOutputs(string outDir, EvolutionState state, IArchitectureCost cost, EvolutionSettings settings, ISearchSpace space, string? baselinesPath)
    {
        var header = new JsonObject
        {
            ["algorithm"] = "evolution", ["space"] = space.Name, ["space_kind"] = space.Kind, ["cost"] = cost.Name, ["cost_unit"] = cost.Unit,
            ["settings"] = settings.ToJson(), ["evaluations"] = state.Evaluations, ["elapsed_seconds"] = Math.Round(state.ElapsedSeconds, 1),
            ["best"] = state.Best?.Id,
        };
        SearchLog.WriteCsv(Path.Combine(outDir, "search-log.csv"), state.History, cost.Unit);
        SearchLog.WriteJson(Path.Combine(outDir, "search-log.json"), state.History, header);
        SearchPlots.WritePareto(Path.Combine(outDir, "pareto.png"), state.History, $"{cost.Name} ({cost.Unit})", settings.CostLimit,
            baselinesPath is null ? [] : ScaleCommand.ReadBaselines(baselinesPath), $"Evolution over {space.Name}: {state.Evaluations} candidates");
    }
}
