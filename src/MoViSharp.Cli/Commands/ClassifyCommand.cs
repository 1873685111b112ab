using System.CommandLine;
using System.Text.Json;
using MoViSharp.Streaming;
using MoViSharp.Video;
using MoViSharp.Weights;
using Spectre.Console;
using static TorchSharp.torch;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp classify INPUT --weights FILE`: streams a video through a causal model frame by frame, shows the running
/// top-1 on stderr and prints the final top-k. Ctrl+C stops decoding, prints the result so far and exits with 130.
/// </summary>
public static class ClassifyCommand
{
    /// <summary>Exit code after Ctrl+C (128 + SIGINT, the shell convention), with the partial result printed.</summary>
    public const int InterruptedExitCode = 130;

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "Video file, URL, /dev/video*, or - for raw rgb24 frames on stdin" };
        var weights = new WeightsOptions();
        var labels = new Option<string?>("--labels") { Description = "Class names, one per line (line n names class n)" };
        var top = new Option<int>("--top") { Description = "How many classes to print at the end", DefaultValueFactory = _ => 5 };
        var every = new Option<int>("--every") { Description = "When stderr is not a terminal, report every N frames", DefaultValueFactory = _ => 10 };
        var json = CliOptions.Json();
        var fps = new Option<double?>("--fps") { Description = "Resample the video to this frame rate first" };
        var noCrop = new Option<bool>("--no-crop") { Description = "Stretch frames to the model size instead of centre-cropping a square" };
        var ensemble = new Option<string[]>("--ensemble")
        {
            Description = "Two stream checkpoints A B run as a temporal ensemble (A on frames 0,2,4…, B on 1,3,5…), instead of --weights",
            AllowMultipleArgumentsPerToken = true, Arity = new ArgumentArity(2, 2),
        };
        var rawSize = new Option<string?>("--raw-size") { Description = "Size of raw stdin frames, WxH (default: the model size)" };
        var command = new Command("classify",
            "Classify a video online with a stream model: running top-1 on stderr, final top-k on stdout. Ctrl+C prints the result so far and exits with 130.")
        {
            input, labels, top, every, json, fps, noCrop, rawSize, ensemble,
        };
        weights.AddTo(command);
        weights.Weights.Required = false;
        command.SetAction(result => CliErrors.Run(() =>
        {
            int k = result.GetValue(top), n = result.GetValue(every);
            if (k < 1) throw new CliException("--top must be at least 1.");
            if (n < 1) throw new CliException("--every must be at least 1.");
            var raw = result.GetValue(rawSize) is { } text ? FrameSizeOption.Parse(text, "--raw-size") : ((int, int)?)null;
            var members = result.GetValue(ensemble) is { Length: 2 } pair
                ? pair.Select(path => CheckpointLoader.Load(path, weights.Hints(result))).ToList()
                : result.GetValue(weights.Weights) is not null ? [weights.Load(result)]
                : throw new CliException("Give --weights FILE, or --ensemble A B.");
            using var _models = new Disposables(members.Select(m => (IDisposable)m.Model));
            var model = members[0].Model;
            var names = result.GetValue(labels) is { } labelPath ? LabelFile.Read(labelPath, model.Config.NumClasses) : members[0].Labels;
            int size = model.Config.NativeSize;
            var options = VideoSourceOptions.Square(size) with
            {
                CenterCrop = !result.GetValue(noCrop),
                Fps = result.GetValue(fps),
                RawWidth = raw?.Item1 ?? size,
                RawHeight = raw?.Item2 ?? size,
            };
            IFrameClassifier Session() => members.Count == 2
                ? new TemporalEnsembleSession(members[0].Model, members[1].Model, size, size, names)
                : new StreamingSession(model, size, size, names);
            var outcome = Classify(Session, result.GetValue(input)!, options, k, new ClassifyProgress(n));
            if (result.GetValue(json)) Console.WriteLine(ToJson(outcome));
            else Print(outcome);
            if (!outcome.Interrupted) return 0;
            Console.Error.WriteLine($"interrupted after {outcome.Frames} frames; the result above covers those frames.");
            return InterruptedExitCode;
        }));
        return command;
    }

    /// <summary>The final top-k after the last frame, and the top-1 after every frame.</summary>
    public sealed record Outcome(int Frames, IReadOnlyList<Prediction> Top, IReadOnlyList<int> PerFrameTop1, bool Interrupted);

    private static Outcome Classify(Func<IFrameClassifier> createSession, string input, VideoSourceOptions options, int k, ClassifyProgress progress)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;           // keep the process alive so that we can stop ffmpeg and print what we have
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var perFrame = new List<int>();
        bool interrupted = false;
        using var session = createSession();
        try
        {
            using var source = FfmpegFrameSource.Open(input, options);
            foreach (var frame in source.ReadFrames(cancel.Token))
            {
                using (frame)
                using (NewDisposeScope())
                {
                    var logits = session.Push(frame.ToTensor().select(2, 0));
                    perFrame.Add(Softmax.ArgMax(logits));
                }
                progress.Report(session.FramesSeen, session.Top(1)[0]);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            interrupted = true;
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
        progress.Finish();
        if (session.FramesSeen == 0 && !interrupted) throw new CliException($"No frames were decoded from '{input}'.");
        return new Outcome(session.FramesSeen, session.Top(k), perFrame, interrupted);
    }

    public static string ToJson(Outcome o) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["frames"] = o.Frames,
        ["final_top"] = o.Top.Select(p => new Dictionary<string, object?> { ["index"] = p.Index, ["label"] = p.Label, ["prob"] = p.Probability }).ToList(),
        ["per_frame_top1"] = o.PerFrameTop1,
    });

    private static void Print(Outcome o)
    {
        var table = new Table().AddColumns("#", "class", "probability");
        table.Title = new TableTitle($"after {o.Frames} frames{(o.Interrupted ? " (interrupted)" : "")}");
        for (int i = 0; i < o.Top.Count; i++)
            table.AddRow($"{i + 1}", Markup.Escape(o.Top[i].Label ?? $"class {o.Top[i].Index}"), $"{o.Top[i].Probability:P1}");
        AnsiConsole.Write(table);
    }
}
