using System.CommandLine;
using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Video;
using MoViSharp.Weights;
using Spectre.Console;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp classify INPUT --weights FILE`: streams a video through a streaming classifier (compiled unless --plain) frame by
/// frame, shows the running top-1 on stderr and prints the final top-k. Ctrl+C stops decoding, prints the result so far and
/// exits with 130.
/// </summary>
public static class ClassifyCommand
{
    /// <summary>Exit code after Ctrl+C (128 + SIGINT, the shell convention), with the partial result printed.</summary>
    public const int InterruptedExitCode = 130;

    public static Command Create()
    {
        var input = new InputOption("Video file, URL, /dev/video*, or - for raw rgb24 frames on stdin");
        var weights = new WeightsOptions();
        var labels = CliOptions.Labels();
        var top = new Option<int>("--top") { Description = "How many classes to print at the end", DefaultValueFactory = _ => 5 };
        var every = new Option<int>("--every") { Description = "When stderr is not a terminal, report every N frames", DefaultValueFactory = _ => 10 };
        var json = CliOptions.Json();
        var fps = new Option<double?>("--fps") { Description = "Resample the video to this frame rate first (default: the model's, else the video's)" };
        var noCrop = new Option<bool>("--no-crop") { Description = "Stretch frames to the model size instead of centre-cropping a square" };
        var ensemble = new Option<string[]>("--ensemble")
        {
            Description = "Two stream checkpoints A B run as a temporal ensemble (A on frames 0,2,4…, B on 1,3,5…), instead of --weights",
            AllowMultipleArgumentsPerToken = true, Arity = new ArgumentArity(2, 2),
        };
        var backend = new BackendOption();
        var rawSize = new Option<string?>("--raw-size") { Description = "Size of raw stdin frames, WxH (default: the model size)" };
        var hop = new Option<int?>("--hop") { Description = "Clip models: frames between predictions over the sliding window (default: one clip)" };
        var command = new Command("classify",
            "Classify a video online with a stream model: running top-1 on stderr, final top-k on stdout. Ctrl+C prints the result so far and exits with 130.")
        {
            labels, top, every, json, fps, noCrop, rawSize, ensemble, hop,
        };
        input.AddTo(command);
        weights.AddTo(command);
        backend.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            int k = result.GetValue(top), n = result.GetValue(every);
            if (k < 1) throw new CliException("--top must be at least 1.");
            if (n < 1) throw new CliException("--every must be at least 1.");
            string source = input.Get(result)!;
            var raw = result.GetValue(rawSize) is { } text ? FrameSizeOption.Parse(text, "--raw-size") : ((int, int)?)null;
            using var classifier = OpenClassifier(result, weights, result.GetValue(ensemble), backend);
            var names = result.GetValue(labels) is { } labelPath ? LabelFile.Read(labelPath, classifier.NumClasses) : classifier.Labels;
            var preprocessing = classifier.Preprocessing;
            var options = VideoSourceOptions.For(preprocessing) with
            {
                CenterCrop = !result.GetValue(noCrop),
                Fps = result.GetValue(fps) ?? preprocessing.Fps,
                RawWidth = raw?.Item1 ?? preprocessing.Size,
                RawHeight = raw?.Item2 ?? preprocessing.Size,
            };
            if (result.GetValue(hop) is < 1) throw new CliException("--hop must be at least 1.");
            var outcome = Classify(classifier, names, source, options, k, new ClassifyProgress(n), result.GetValue(hop));
            if (result.GetValue(json)) Console.WriteLine(ToJson(outcome));
            else Print(outcome);
            if (!outcome.Interrupted) return 0;
            Console.Error.WriteLine($"interrupted after {outcome.Frames} frames; the result above covers those frames.");
            return InterruptedExitCode;
        }));
        return command;
    }

    /// <summary>One classifier for --weights, or a temporal ensemble for --ensemble A B (on the --backend when the command has one).</summary>
    internal static IVideoClassifier OpenClassifier(ParseResult result, WeightsOptions weights, string[]? ensemble, BackendOption? backend = null)
    {
        IVideoClassifier Open(string path) => backend is null ? weights.Classifier(weights.Load(path, result), result) : backend.Classifier(result, weights, path);
        if (ensemble is { Length: 2 })
        {
            if (result.GetValue(weights.Weights) is not null) throw new CliException("Give --weights FILE or --ensemble A B, not both.");
            var members = new List<IVideoClassifier>();
            try
            {
                foreach (var path in ensemble) members.Add(Open(path));
                return new TemporalEnsemble(members[0], members[1]);
            }
            catch
            {
                foreach (var m in members) m.Dispose();
                throw;
            }
        }
        if (result.GetValue(weights.Weights) is null) throw new CliException("Give --weights FILE, or --ensemble A B.");
        return Open(weights.Path(result));
    }

    private static OnlineResult Classify(IVideoClassifier classifier, IReadOnlyList<string>? labels, string input, VideoSourceOptions options, int k,
        ClassifyProgress progress, int? hop)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;           // keep the process alive so that we can stop ffmpeg and print what we have
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var session = new StreamingSession(classifier, options.Height, options.Width, hop);
        try
        {
            using var source = FfmpegFrameSource.Open(input, options);
            var frames = source.ReadFrames(cancel.Token).Select(frame => { using (frame) return FrameConversion.ToFrameTensor(frame); });
            var outcome = OnlineClassification.Run(session, frames, k,
                s => { if (s.Top(1) is [var best, ..]) progress.Report(s.FramesSeen, Named(best, labels)); }, cancel.Token);
            progress.Finish();
            if (outcome.Frames == 0 && !outcome.Interrupted) throw new CliException($"No frames were decoded from '{input}'.");
            return outcome with { Top = outcome.Top.Select(p => Named(p, labels)).ToList() };
        }
        catch (Exception e) when (e is VideoInputException or FfmpegNotFoundException)
        {
            progress.Finish();
            throw new CliException(e.Message);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static Prediction Named(Prediction p, IReadOnlyList<string>? labels) => labels is null ? p : p with { Label = labels[p.Index] };

    public static string ToJson(OnlineResult o) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["frames"] = o.Frames,
        ["final_top"] = o.Top.Select(p => new Dictionary<string, object?> { ["index"] = p.Index, ["label"] = p.Label, ["prob"] = p.Probability }).ToList(),
        ["per_frame_top1"] = o.PerFrameTop1,
    });

    private static void Print(OnlineResult o)
    {
        var table = new Table().AddColumns("#", "class", "probability");
        table.Title = new TableTitle($"after {o.Frames} frames{(o.Interrupted ? " (interrupted)" : "")}");
        for (int i = 0; i < o.Top.Count; i++)
            table.AddRow($"{i + 1}", Markup.Escape(o.Top[i].Label ?? $"class {o.Top[i].Index}"), $"{o.Top[i].Probability:P1}");
        AnsiConsole.Write(table);
    }
}
