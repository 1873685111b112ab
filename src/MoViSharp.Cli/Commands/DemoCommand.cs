using System.CommandLine;
using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Data.Synthetic;
using MoViSharp.Inference;
using MoViSharp.Video;
using Spectre.Console;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp demo`: renders fresh synthetic clips in-process (no ffmpeg, no downloads), streams them frame by frame through
/// the small stream model that ships with MoViSharp (compiled unless --plain), and shows the live prediction next to the true class.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var weights = new Option<string?>("--weights") { Description = "A stream model trained on the synthetic benchmark (default: the embedded demo model)" };
        var clips = new Option<int>("--clips") { Description = "How many clips to stream", DefaultValueFactory = _ => 3 };
        var seed = new Option<long?>("--seed") { Description = "Seed of the rendered clips (default: a fresh one, printed for reproduction)" };
        var className = new Option<string?>("--class") { Description = "Render only this class (e.g. move_left)" };
        var delay = new Option<int>("--delay-ms") { Description = "Pause between frames on a terminal, to watch it live", DefaultValueFactory = _ => 80 };
        var json = CliOptions.Json();
        var plain = CliOptions.Plain();
        var command = new Command("demo", "Stream fresh synthetic clips through the embedded demo model and show live per-frame predictions.")
        {
            weights, clips, seed, className, delay, json, plain,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            using var classifier = ModelCompiler.Classifier(DemoModel.Load(result.GetValue(weights)), result.GetValue(plain));
            if (classifier.NotStreamableReason is not null) throw new CliException("The demo needs a stream (causal) model.");
            var labels = classifier.Labels ?? SyntheticActionClasses.Names;
            if (labels.Count != SyntheticActionClasses.Count || !labels.SequenceEqual(SyntheticActionClasses.Names))
                throw new CliException("The demo model's labels are not the synthetic benchmark's classes.");
            long baseSeed = result.GetValue(seed) ?? Environment.TickCount64 % 1_000_000 + 1_000_000;
            int count = Math.Max(1, result.GetValue(clips));
            var chosen = result.GetValue(className) is { } name ? SyntheticActionClasses.Get(name).Index : (int?)null;
            var live = !result.GetValue(json) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            var reports = new List<ClipReport>();
            for (int i = 0; i < count; i++)
            {
                int classIndex = chosen ?? (int)((ulong)(baseSeed * 31 + i) % (ulong)SyntheticActionClasses.Count);
                var clip = SyntheticClipRenderer.Render(classIndex, baseSeed, i, classifier.Preprocessing.Frames, classifier.Preprocessing.Size);
                reports.Add(StreamClip(classifier, labels, clip, classIndex, live, result.GetValue(delay)));
            }
            int correct = reports.Count(r => r.FinalIndex == r.TrueIndex);
            if (result.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    seed = baseSeed,
                    clips = reports.Select(r => new { true_class = labels[r.TrueIndex], predicted = labels[r.FinalIndex], prob = r.FinalProbability, per_frame_top1 = r.PerFrameTop1 }),
                    correct,
                }));
            else
                Console.WriteLine($"{correct}/{reports.Count} clips recognised (seed {baseSeed}; rerun with --seed {baseSeed} to see the same clips).");
            return 0;
        }));
        return command;
    }

    private sealed record ClipReport(int TrueIndex, int FinalIndex, float FinalProbability, IReadOnlyList<int> PerFrameTop1);

    private static ClipReport StreamClip(IVideoClassifier classifier, IReadOnlyList<string> labels, SyntheticClip clip, int trueIndex, bool live, int delayMs)
    {
        using var session = new StreamingSession(classifier, clip.Height, clip.Width);
        var frames = Enumerable.Range(0, clip.Frames).Select(t => FrameConversion.FromHwcFloats(clip.Frame(t), clip.Width, clip.Height));
        OnlineResult outcome = null!;
        if (live)
        {
            var canvas = new Canvas(clip.Width, clip.Height) { MaxWidth = Math.Min(clip.Width, 48) };
            var table = new Table().HideHeaders().AddColumns("", "");
            AnsiConsole.Live(new Columns(canvas, table)).Start(context =>
            {
                outcome = OnlineClassification.Run(session, frames, 1, s =>
                {
                    int t = s.FramesSeen - 1;
                    Draw(canvas, clip, t);
                    table.Rows.Clear();
                    table.AddRow("[grey]frame[/]", $"{t + 1}/{clip.Frames}");
                    table.AddRow("[grey]true[/]", $"[bold]{labels[trueIndex]}[/]");
                    foreach (var p in s.Top(3))
                    {
                        string colour = p.Index == trueIndex ? "green" : "red";
                        table.AddRow($"[{colour}]{Markup.Escape(labels[p.Index])}[/]", Bar(p.Probability));
                    }
                    context.Refresh();
                    Thread.Sleep(Math.Max(0, delayMs));
                });
            });
        }
        else
        {
            outcome = OnlineClassification.Run(session, frames, 1, s =>
            {
                if (Console.IsOutputRedirected && s.FramesSeen < clip.Frames) return;
                var best = s.Top(1)[0];
                Console.Error.WriteLine($"frame {s.FramesSeen,3}/{clip.Frames}  true {labels[trueIndex],-12}  predicted {labels[best.Index],-12} {best.Probability,6:P1}");
            });
            Console.Error.WriteLine();
        }
        var final = outcome.Top[0];
        return new ClipReport(trueIndex, final.Index, final.Probability, outcome.PerFrameTop1);
    }

    private static string Bar(float probability)
    {
        int filled = (int)Math.Round(probability * 20);
        return $"{new string('█', filled)}{new string('░', 20 - filled)} {probability,6:P1}";
    }

    private static void Draw(Canvas canvas, SyntheticClip clip, int t)
    {
        var frame = clip.Frame(t);
        for (int y = 0; y < clip.Height; y++)
            for (int x = 0; x < clip.Width; x++)
            {
                int i = (y * clip.Width + x) * 3;
                canvas.SetPixel(x, y, new Color(ToByte(frame[i]), ToByte(frame[i + 1]), ToByte(frame[i + 2])));
            }
        static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255), 0, 255);
    }
}
