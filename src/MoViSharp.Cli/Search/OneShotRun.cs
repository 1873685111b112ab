using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Cli.Commands;
using MoViSharp.Data;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.IO;
using MoViSharp.Search;
using MoViSharp.Weights;

namespace MoViSharp.Cli.Search;

/// <summary>
/// `movisharp search --algo oneshot`: the TuNAS-style supernet search (<see cref="OneShotSearch"/>), then the controller's argmax
/// trained from scratch with the brief-training budget (--epochs, --batch, --lr) and scored on the validation clips. Writes the
/// search log (CSV + JSON: the argmax after each epoch with its supernet accuracy, then the retrained network), the controller's
/// steps and final probabilities, the Pareto plot and best/ (architecture, config, weights). Resumable at epoch boundaries: rerun
/// the same command after Ctrl+C or a crash (OUT/oneshot-state.json and the newest supernet file beside it).
/// </summary>
internal sealed class OneShotRun
{
    public Option<int> SupernetEpochs { get; } = new("--oneshot-epochs") { Description = "One-shot: supernet epochs in all, warm-up included", DefaultValueFactory = _ => 10 };
    public Option<int> WarmupEpochs { get; } = new("--warmup-epochs") { Description = "One-shot: epochs training only the shared weights on uniform paths", DefaultValueFactory = _ => 3 };
    public Option<double> Beta { get; } = new("--beta") { Description = "One-shot: weight (< 0) of |cost/target − 1| in the reward", DefaultValueFactory = _ => -0.5 };
    public Option<double> ControllerLr { get; } = new("--controller-lr") { Description = "One-shot: REINFORCE step size on the controller's logits", DefaultValueFactory = _ => 1.0 };
    public Option<int> Expansions { get; } = new("--expansions") { Description = "One-shot: expansion widths per layer in the supernet", DefaultValueFactory = _ => 3 };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { SupernetEpochs, WarmupEpochs, Beta, ControllerLr, Expansions }) command.Options.Add(o);
    }

    public int Run(ParseResult result, SearchSetup setup, string? baselinesPath)
    {
        string spaceName = result.GetValue(setup.Space)!;
        // The supernet shares MoViNet bottlenecks between paths; TVN spaces are searched by evolution only.
        var space = SearchSpaces.Load(spaceName) as MoViNetSearchSpace
            ?? throw new CliException($"--algo oneshot searches MoViNet spaces only; '{spaceName}' is a TVN space: use --algo evolution.");
        var (train, val) = setup.Datasets(result);
        if (result.GetValue(setup.Threads) is int n) TorchSharp.torch.set_num_threads(Math.Max(1, n));
        var (cost, target) = setup.CostAndLimit(result, space, train.Classes.Count);
        if (target is null) throw new CliException($"Give the target for --cost {cost.Name}: --target-{(cost.Name == "latency" ? "ms" : cost.Name == "macs" ? "mmacs" : "mparams")}.");
        var training = setup.Training(result);
        var settings = new OneShotSettings
        {
            Epochs = result.GetValue(SupernetEpochs), WarmupEpochs = result.GetValue(WarmupEpochs), BatchSize = training.BatchSize,
            LearningRate = training.LearningRate, ControllerLearningRate = result.GetValue(ControllerLr), Beta = result.GetValue(Beta),
            Target = target.Value, ExpansionChoices = result.GetValue(Expansions), Seed = result.GetValue(setup.Seed),
        };
        try { settings.Validate(); }
        catch (ArgumentException e) { throw new CliException(e.Message); }
        string outDir = result.GetValue(setup.Output)!;
        string best = Path.Combine(outDir, "best");
        Directory.CreateDirectory(best);
        string statePath = Path.Combine(outDir, "oneshot-state.json");
        bool resuming = File.Exists(statePath);
        AtomicFile.WriteAllText(Path.Combine(outDir, resuming ? "command-resumed.txt" : "command.txt"), "movisharp " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) + "\n");

        var shot = new OneShotSpace(space, settings.ExpansionChoices);
        var search = new OneShotSearch(space, cost, train, val, settings, statePath);
        var clock = Stopwatch.StartNew();
        var budget = result.GetValue(setup.Hours) is double h ? TimeSpan.FromHours(h) : (TimeSpan?)null;
        int perEpoch = train.Count / settings.BatchSize;
        search.Stepped += s =>
        {
            if (s.Step % 10 != 0) return;
            Console.Error.WriteLine($"  step {s.Step}: loss {s.Loss:F3}, sampled path top-1 {s.Accuracy:P0} at {SearchSetup.F(s.Cost)} {cost.Unit}, reward {s.Reward:F3} (baseline {s.Baseline:F3})");
        };
        search.EpochDone += (epoch, warmup, entry) =>
        {
            double eta = clock.Elapsed.TotalSeconds / (epoch + 1) * (settings.Epochs - epoch - 1);
            Console.Error.WriteLine($"[epoch {epoch + 1}/{settings.Epochs}{(warmup ? ", warm-up" : "")}] " +
                                    (entry is null ? "shared weights only" : $"argmax: supernet top-1 {entry.Accuracy:P1} at {SearchSetup.F(entry.Cost)} {cost.Unit}") +
                                    $" | {clock.Elapsed.TotalMinutes:F1} min, ETA {eta / 60:F0} min");
        };
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("Stopping: the state is saved after every epoch; rerun the same command to resume (the epoch in progress is redone).");
        };
        Console.CancelKeyPress += onCancel;
        Console.Error.WriteLine($"{(resuming ? "Resuming" : "Starting")} one-shot search over '{space.Name}': {train.Count} training and {val.Count} validation clips in {train.Classes.Count} classes, " +
                                $"{shot.Decisions.Count} decisions, {shot.CandidateCount} candidate layers, {perEpoch} steps per epoch, target {SearchSetup.F(target.Value)} {cost.Unit}, β {settings.Beta}, seed {settings.Seed}");
        OneShotResult found;
        try { found = search.Run(cancel.Token, budget); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException) { throw new CliException(e.Message); }
        finally { Console.CancelKeyPress -= onCancel; }

        var history = found.Epochs.ToList();
        if (!cancel.IsCancellationRequested && (budget is null || clock.Elapsed < budget))
        {
            Console.Error.WriteLine($"Training the argmax from scratch ({training.Epochs} epoch(s)): {found.Architecture}");
            var evaluator = new BriefTrainingEvaluator(space, train, val, training);
            using var trained = evaluator.Evaluate(found.Architecture, (long)(SplitMix64.Hash((ulong)settings.Seed, 0xC41D, 0x05407) >> 1), cancel.Token);
            var entry = new EvaluatedArchitecture(history.Count, history.Count > 0 ? history[^1].Id : null, "argmax trained from scratch",
                found.Architecture, found.Cost, true, trained.Accuracy, trained.Seconds);
            history.Add(entry);
            if (trained.Model is { } model)
            {
                MoViSharpCheckpoint.Save(Path.Combine(best, "model.safetensors"), model, train.Classes);
                AtomicFile.WriteAllText(Path.Combine(best, "config.json"), MoViNetConfigJson.Write((MoViNetConfig)model.Config) + "\n");
            }
        }
        else
            AtomicFile.WriteAllText(Path.Combine(best, "config.json"), MoViNetConfigJson.Write(space.ToConfig(found.Architecture, train.Classes.Count)) + "\n");
        AtomicFile.WriteAllText(Path.Combine(best, "architecture.json"), found.Architecture.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        WriteOutputs(outDir, found, history, shot, cost, settings, space, baselinesPath, clock.Elapsed.TotalSeconds);

        var last = history.LastOrDefault();
        Console.WriteLine($"Found ({(found.Completed ? "search complete" : "search stopped early")}): {found.Architecture} at {SearchSetup.F(found.Cost)} {cost.Unit}" +
                          (last is { Change: "argmax trained from scratch" } ? $", top-1 {last.Accuracy:P1} trained from scratch" : ", not retrained"));
        Console.WriteLine($"Wrote {outDir}/search-log.csv, search-log.json, controller.json, controller-log.csv, pareto.png, best/");
        return found.Completed ? 0 : 1;
    }

    private static void WriteOutputs(string outDir, OneShotResult found, List<EvaluatedArchitecture> history, OneShotSpace shot, IArchitectureCost cost,
        OneShotSettings settings, MoViNetSearchSpace space, string? baselinesPath, double seconds)
    {
        var header = new JsonObject
        {
            ["algorithm"] = "oneshot", ["space"] = space.Name, ["cost"] = cost.Name, ["cost_unit"] = cost.Unit,
            ["settings"] = settings.ToJson(), ["completed"] = found.Completed, ["elapsed_seconds"] = Math.Round(seconds, 1),
            ["controller_steps"] = found.Steps.Count, ["best"] = history.Count > 0 ? history[^1].Id : null,
            ["found"] = found.Architecture.ToJson(),
        };
        SearchLog.WriteCsv(Path.Combine(outDir, "search-log.csv"), history, cost.Unit);
        SearchLog.WriteJson(Path.Combine(outDir, "search-log.json"), history, header);
        AtomicFile.WriteAllText(Path.Combine(outDir, "controller.json"), found.Controller.ToJson(shot).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var csv = new StringBuilder("step,epoch,loss,accuracy,cost,reward,baseline,architecture\n");
        foreach (var s in found.Steps)
            csv.AppendLine(string.Join(',', s.Step, s.Epoch, F(s.Loss), F(s.Accuracy), F(s.Cost), F(s.Reward), F(s.Baseline), $"\"{s.Architecture}\""));
        AtomicFile.WriteAllText(Path.Combine(outDir, "controller-log.csv"), csv.ToString());
        SearchPlots.WritePareto(Path.Combine(outDir, "pareto.png"), history, $"{cost.Name} ({cost.Unit})", settings.Target,
            baselinesPath is null ? [] : ScaleCommand.ReadBaselines(baselinesPath), $"One-shot over {space.Name}: argmax per epoch and retrained");
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
