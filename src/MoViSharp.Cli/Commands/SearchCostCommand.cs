using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MoViSharp.Inference;
using MoViSharp.IO;
using MoViSharp.Search;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp search-cost`: builds (or extends) the per-layer latency tables of this machine for a search space and validates the
/// predictor against whole-network measurements of random causal points; writes latency-validation.json and .md.
/// </summary>
public static class SearchCostCommand
{
    public static Command Create()
    {
        var space = new Option<string>("--space") { Description = "movinet (built in) or a space file (JSON)", DefaultValueFactory = _ => "movinet" };
        var samples = new Option<int>("--samples") { Description = "Random architectures to validate on", DefaultValueFactory = _ => 30 };
        var threads = new Option<string>("--threads") { Description = "Comma-separated thread counts", DefaultValueFactory = _ => "1,2" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1 };
        var classes = new Option<int>("--classes") { DefaultValueFactory = _ => 600 };
        var repeats = new Option<int>("--repeats") { Description = "Timed steps per measurement (median)", DefaultValueFactory = _ => 15 };
        var tables = new Option<string?>("--latency-tables") { Description = "Folder of the cached tables (default: ~/.cache/movisharp/latency)" };
        var clock = new Option<string>("--clock") { Description = "wall (elapsed time) or thread-cpu (CPU time of the compute thread: robust on a shared machine, one thread only)", DefaultValueFactory = _ => "wall" };
        var depthwise = new Option<string>("--depthwise") { Description = SearchCliOptions.DepthwiseDescription, DefaultValueFactory = _ => "measured" };
        var architectures = new Option<string?>("--architectures")
        {
            Description = "Comma-separated architecture.json files (e.g. a search's best and a scale baseline) to time side by side instead of random points",
        };
        var output = CliOptions.Output("Folder receiving latency-validation.json and latency-validation.md", aliases: "--out");
        var command = new Command("search-cost", "Measures per-layer latency tables on this machine and validates the predictor on random architectures.")
        {
            space, samples, threads, seed, classes, repeats, tables, clock, depthwise, architectures, output,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var threadCounts = result.GetValue(threads)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => int.TryParse(t, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new CliException($"--threads: '{t}' is not a positive integer.")).ToList();
            if (result.GetValue(samples) < 1 || result.GetValue(repeats) < 1) throw new CliException("--samples and --repeats must be positive.");
            string? folder = result.GetValue(tables);
            var options = SearchCliOptions.ParseDepthwise(result.GetValue(depthwise)!);
            var timing = SearchCliOptions.ParseClock(result.GetValue(clock)!);
            var searchSpace = MoViNetSearchSpace.Load(result.GetValue(space)!);
            var points = result.GetValue(architectures)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ReadArchitecture).ToList();
            var validation = new LatencyValidation
            {
                Space = points is null ? searchSpace : searchSpace.Admitting(points), Points = points, Samples = result.GetValue(samples), Seed = result.GetValue(seed),
                Threads = threadCounts, Classes = result.GetValue(classes), Repeats = result.GetValue(repeats), CompileOptions = options, Clock = timing,
                TablePath = t => folder is null ? LatencyTable.DefaultPath(t, options, timing) : Path.Combine(folder, Path.GetFileName(LatencyTable.DefaultPath(t, options, timing))),
            };
            var report = validation.Run(line => Console.Error.WriteLine(line));
            string outDir = result.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            AtomicFile.WriteAllText(Path.Combine(outDir, "latency-validation.json"), report.ToJsonText() + "\n");
            AtomicFile.WriteAllText(Path.Combine(outDir, "latency-validation.md"), report.ToMarkdown());
            Console.WriteLine(report.ToMarkdown());
            return 0;
        }));
        return command;
    }

    private static MoViNetArchitecture ReadArchitecture(string path)
    {
        if (!File.Exists(path)) throw new CliException($"--architectures: {path} does not exist.");
        return MoViNetArchitecture.FromJson(JsonNode.Parse(File.ReadAllText(path)), path);
    }
}
