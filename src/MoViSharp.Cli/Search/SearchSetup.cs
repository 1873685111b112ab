using System.CommandLine;
using System.Globalization;
using MoViSharp.Data;
using MoViSharp.Inference;
using MoViSharp.Search;

namespace MoViSharp.Cli.Search;

/// <summary>What `search` and `scale` share: data (with a held-out split when no --val is given), the cost and its limit, training budget.</summary>
internal sealed class SearchSetup
{
    public Option<string> Space { get; } = new("--space") { Description = "movinet or tvn (built in) or a space file (JSON, its \"kind\" says which; see `movisharp search-space`)", DefaultValueFactory = _ => "movinet" };
    public Option<string> Data { get; } = new("--data") { Description = "Training clips: DIR/<class>/<clip>.npy|video, or a CSV list", Required = true };
    public Option<string?> Val { get; } = new("--val") { Description = "Validation clips that score candidates (default: every 5th clip of each class of --data, held out)" };
    public Option<string> Cost { get; } = new("--cost") { Description = "latency (ms per frame on this machine: the compiled stream step of a MoViNet point, the compiled clip over its frames for a TVN), macs or params", DefaultValueFactory = _ => "latency" };
    public Option<double?> TargetMs { get; } = new("--target-ms") { Description = "Hard per-frame latency limit (--cost latency)" };
    public Option<double?> TargetMmacs { get; } = new("--target-mmacs") { Description = "Hard limit in millions of multiply-adds per frame (--cost macs)" };
    public Option<double?> TargetMparams { get; } = new("--target-mparams") { Description = "Hard limit in millions of parameters (--cost params)" };
    public Option<double?> Hours { get; } = new("--hours") { Description = "Wall-time budget of this invocation (a resumed run gets a new budget)" };
    public Option<long> Seed { get; } = new("--seed") { DefaultValueFactory = _ => 1 };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Training epochs per candidate", DefaultValueFactory = _ => 1 };
    public Option<int> Batch { get; } = new("--batch") { DefaultValueFactory = _ => 8 };
    public Option<double> Lr { get; } = new("--lr") { DefaultValueFactory = _ => 3e-3 };
    public Option<int> LatencyThreads { get; } = new("--latency-threads") { Description = "Compute threads the latency cost is measured with", DefaultValueFactory = _ => 1 };
    public Option<string> Depthwise { get; } = new("--depthwise") { Description = Commands.SearchCliOptions.DepthwiseDescription, DefaultValueFactory = _ => "measured" };
    public Option<string> Clock { get; } = new("--clock") { Description = "wall or thread-cpu (CPU time of the compute thread: robust on a shared machine, one thread only)", DefaultValueFactory = _ => "wall" };
    public Option<string?> LatencyTable { get; } = new("--latency-table") { Description = "The latency table file (default: ~/.cache/movisharp/latency/<machine>-…json)" };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Torch threads for training (default: all cores)" };
    public Option<string> Output = CliOptions.Output("Output folder (holds the resumable state; rerun the same command to resume)", aliases: "--out");

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Space, Data, Val, Cost, TargetMs, TargetMmacs, TargetMparams, Hours, Seed, Epochs, Batch, Lr, LatencyThreads, Clock, Depthwise, LatencyTable, Threads, Output })
            command.Options.Add(o);
    }

    /// <summary>Training and validation sets: --val, or a deterministic hold-out of every 5th clip per class.</summary>
    public (ClipDataset Train, ClipDataset Val) Datasets(ParseResult r)
    {
        var all = ClipDataset.Open(r.GetValue(Data)!);
        if (r.GetValue(Val) is { } v) return (all, ClipDataset.Open(v, all.Classes));
        var byClass = all.Samples.Select((s, i) => (s, i)).GroupBy(p => p.s.Label).SelectMany(g => g.Select((p, k) => (p.s, k))).ToList();
        var train = byClass.Where(p => p.k % 5 != 4).Select(p => p.s).ToList();
        var val = byClass.Where(p => p.k % 5 == 4).Select(p => p.s).ToList();
        if (val.Count == 0) throw new CliException($"{all.Source}: too few clips to hold out a validation set (need 5 per class); give --val.");
        return (all with { Samples = train, Source = all.Source + " (train split)" }, all with { Samples = val, Source = all.Source + " (every 5th clip)" });
    }

    public BriefTraining Training(ParseResult r)
    {
        int e = r.GetValue(Epochs), b = r.GetValue(Batch);
        if (e < 1 || b < 1) throw new CliException("--epochs and --batch must be positive.");
        return new BriefTraining { Epochs = e, BatchSize = b, LearningRate = r.GetValue(Lr) };
    }

    /// <summary>The cost and its hard limit (null when no target was given).</summary>
    public (IArchitectureCost Cost, double? Limit) CostAndLimit(ParseResult r, ISearchSpace searchSpace, int classes)
    {
        switch (r.GetValue(Cost)!.ToLowerInvariant())
        {
            case "latency":
                int threads = r.GetValue(LatencyThreads);
                if (threads < 1) throw new CliException("--latency-threads must be positive.");
                var clock = Commands.SearchCliOptions.ParseClock(r.GetValue(Clock)!);
                var options = Commands.SearchCliOptions.ParseDepthwise(r.GetValue(Depthwise)!);
                try { TimingClocks.Check(clock, threads); }
                catch (Exception e) when (e is ArgumentException or PlatformNotSupportedException) { throw new CliException(e.Message); }
                // TVNs are clip models: no per-frame step to split into a layer table, so each point's whole clip is timed.
                if (searchSpace is not MoViNetSearchSpace space)
                {
                    if (r.GetValue(LatencyTable) is not null) throw new CliException($"--latency-table holds MoViNet layers; a {searchSpace.Kind} space times whole clips and has no table.");
                    return (new ClipLatencyCost(searchSpace, classes, threads, options, clock: clock), r.GetValue(TargetMs));
                }
                if (space.Causal.Contains(false)) throw new CliException($"--cost latency times stream steps; the space '{space.Name}' allows non-causal points (set \"causal\": [true] or use --cost macs).");
                string path = r.GetValue(LatencyTable) ?? MoViSharp.Search.LatencyTable.DefaultPath(threads, options, clock);
                return (new LatencyCost(space, classes, MoViSharp.Search.LatencyTable.LoadOrCreate(path, threads, options, clock), options, path, clock: clock), r.GetValue(TargetMs));
            case "macs":
                return (new MacsCost(searchSpace, classes), r.GetValue(TargetMmacs));
            case "params":
                return (new ParameterCost(searchSpace, classes), r.GetValue(TargetMparams));
            case var c:
                throw new CliException($"--cost must be latency, macs or params, not '{c}'.");
        }
    }

    public static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
