using System.CommandLine;
using System.Text.Json;
using MoViSharp.Data.Synthetic;
using Spectre.Console;

namespace MoViSharp.Cli.Commands;

/// <summary>`movisharp synth`: writes the built-in synthetic temporal-action benchmark (deterministic by seed).</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var output = CliOptions.Output("Output folder (one sub-folder per class, plus labels.txt)", aliases: "--out");
        var perClass = new Option<int>("--per-class") { Description = "Clips per class", DefaultValueFactory = _ => 20 };
        var seed = new Option<long>("--seed") { Description = "Seed: the same seed gives the same clips, bit for bit", DefaultValueFactory = _ => 0 };
        var frames = new Option<int>("--frames") { Description = "Frames per clip", DefaultValueFactory = _ => SyntheticClipRenderer.DefaultFrames };
        var size = new Option<int>("--size") { Description = "Frame size in pixels (square)", DefaultValueFactory = _ => SyntheticClipRenderer.DefaultSize };
        var format = new Option<string>("--format") { Description = "npy (exact float clips) or mp4 (H.264 through ffmpeg)", DefaultValueFactory = _ => "npy" };
        var json = CliOptions.Json();
        var command = new Command("synth", "Render the synthetic temporal-action benchmark: classes that differ only in temporal order, with distractors.")
        {
            output, perClass, seed, frames, size, format, json,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var clipFormat = result.GetValue(format) switch
            {
                "npy" => SyntheticClipFormat.Npy,
                "mp4" => SyntheticClipFormat.Mp4,
                var f => throw new CliException($"--format must be npy or mp4, not '{f}'."),
            };
            int count = result.GetValue(perClass) * SyntheticActionClasses.Count;
            SyntheticDatasetSummary summary = null!;
            void Write(IProgress<int>? progress) => summary = SyntheticDatasetWriter.Write(result.GetValue(output)!, result.GetValue(perClass),
                result.GetValue(seed), result.GetValue(frames), result.GetValue(size), clipFormat, progress: progress);
            if (Console.IsErrorRedirected || result.GetValue(json)) Write(null);
            else
                new Progress(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }))
                    .Start(context =>
                    {
                        var task = context.AddTask("rendering clips", maxValue: count);
                        Write(new Progress<int>(done => task.Value = done));
                        task.Value = count;
                    });
            if (result.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { directory = summary.Directory, labels = summary.LabelsPath, clips = summary.ClipCount, classes = SyntheticActionClasses.Names }));
            else
                Console.WriteLine($"wrote {summary.ClipCount} clips of {SyntheticActionClasses.Count} classes to {summary.Directory} " +
                                  $"({SyntheticActionClasses.All.Count(c => c.IsTemporalOrder)} classes differ only in temporal order)");
            return 0;
        }));
        return command;
    }
}
