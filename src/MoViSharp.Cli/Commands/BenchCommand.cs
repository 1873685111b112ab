using System.CommandLine;
using System.Globalization;
using MoViSharp.Bench;
using MoViSharp.IO;
using MoViSharp.Models;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp bench`: per-frame latency of stream models (plain vs compiled), `classify` end to end, whole-clip throughput of base
/// models, batched streams, resident memory against frames, all against the machine's measured peak; writes JSON, a Markdown
/// section of docs/BENCHMARKS.md and PNG plots under docs/bench/. The harness lives in MoViSharp.Bench.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var json = CliOptions.Json();
        var models = new Option<string>("--models") { Description = "Comma-separated registered models (a MoViNet short name such as a0 measures its stream and base variants)", DefaultValueFactory = _ => "a0,a1,a2,a3" };
        var frames = new Option<int?>("--frames") { Description = "Timed frames per latency measurement (default 200; --quick 15)" };
        var quick = new Option<bool>("--quick") { Description = "A smoke run of seconds: one thread, small counts; numbers are not representative" };
        var size = CliOptions.Size("Square frame size for every model (default: each model's native size)");
        var output = CliOptions.Output("Folder receiving BENCHMARKS.md and bench/ (plots, results.json)", required: false, "--out");
        output.DefaultValueFactory = _ => "docs";
        var classes = new Option<int>("--classes") { Description = "Number of classes", DefaultValueFactory = _ => 600 };
        var backend = new Option<string>("--backend") { Description = "Engines to measure: torch, onnx or all (default: all, side by side)", DefaultValueFactory = _ => "all" };
        var tflite = new Option<string?>("--tflite") { Description = "An int8 MoViNet-A0 stream .tflite file: also time its ONNX translation and the int8 QDQ of its float import" };
        var probe = new Option<string?>("--memory-probe") { Hidden = true };
        var memoryFrames = new Option<string?>("--memory-frames") { Hidden = true };
        var command = new Command("bench", "Benchmarks streaming and clip inference on this machine; writes docs/BENCHMARKS.md (its own section), plots and JSON.")
        {
            json, models, frames, quick, size, output, classes, backend, tflite, probe, memoryFrames,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var names = (result.GetValue(models) ?? "a0").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => n.ToLowerInvariant()).Distinct().ToList();
            if (names.Count == 0) throw new CliException("--models needs at least one model.");
            foreach (var n in names) ModelRegistry.Entry(n);           // a clear error for an unknown name
            int? s = result.GetValue(size);
            if (s is < 8) throw new CliException("--size must be at least 8.");
            int? f = result.GetValue(frames);
            if (f is < 1) throw new CliException("--frames must be positive.");

            if (result.GetValue(probe) is { } kind)
            {
                var checkpoints = (result.GetValue(memoryFrames) ?? "50").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
                var config = ModelRegistry.Config(names[0], variant: "stream");
                return MemoryProbe.RunChild(kind, names[0], s ?? config.Preprocessing.Size, checkpoints, result.GetValue(classes));
            }

            string[] backends = result.GetValue(backend)?.Trim().ToLowerInvariant() switch
            {
                "all" or null => ["torch", "onnx"],
                "torch" => ["torch"],
                "onnx" => ["onnx"],
                var b => throw new CliException($"--backend must be torch, onnx or all, not '{b}'."),
            };
            if (result.GetValue(tflite) is { } t && !File.Exists(t)) throw new CliException($"--tflite: '{t}' does not exist.");
            var settings = BenchSettings.Create(names, f, result.GetValue(quick), s) with
            {
                Classes = result.GetValue(classes), Backends = backends, Tflite = result.GetValue(tflite),
            };
            var results = new BenchMeasurements(settings, line => Console.Error.WriteLine(line)).Run();
            string folder = result.GetValue(output) ?? "docs";
            string plots = Path.Combine(folder, "bench");
            Directory.CreateDirectory(plots);
            string text = results.ToJsonText();
            AtomicFile.WriteAllText(Path.Combine(plots, "results.json"), text + "\n");
            BenchPlots.Write(results, plots);
            MarkdownSection.Write(Path.Combine(folder, "BENCHMARKS.md"), BenchMarkdown.Render(results));
            if (result.GetValue(json)) Console.WriteLine(text);
            else
            {
                foreach (var g in results.Goals)
                    Console.WriteLine($"{(g.Met is null ? "n/a   " : g.Met.Value ? "met   " : "missed")}  {g.Goal}: {g.Measured}");
                Console.WriteLine($"Wrote {Path.Combine(folder, "BENCHMARKS.md")}, {plots}/latency.png, memory.png, results.json");
            }
            return 0;
        }));
        return command;
    }
}
