using System.CommandLine;
using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Cli.Training;
using MoViSharp.Data;
using MoViSharp.IO;
using MoViSharp.Training;
using MoViSharp.Weights;
using TorchSharp;

namespace MoViSharp.Cli.Commands;

/// <summary>`movisharp eval`: top-1/top-5, per-class accuracy, confusion matrix and (stream models) accuracy against frames seen.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var input = new InputOption("Clips: DIR/<class>/<clip> or a CSV list", "--data");
        var weights = new WeightsOptions();
        var ensemble = new Option<string[]>("--ensemble") { Description = "Two checkpoints A B: a temporal ensemble (A on frames 0,2,4…, B on 1,3,5…)", AllowMultipleArgumentsPerToken = true, Arity = new ArgumentArity(2, 2) };
        var frames = new Option<int?>("--frames") { Description = "Frames per clip (default: the model's clip; ensemble: twice a member's)" };
        var stride = new Option<int>("--stride") { DefaultValueFactory = _ => 1 };
        var fps = new Option<double?>("--fps") { Description = "Resample videos to this rate first (default: the model's)" };
        var size = CliOptions.Size();
        var views = new Option<int>("--views") { Description = "Clips per video, evenly spaced; logits averaged", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 16 };
        var threads = new Option<int?>("--threads");
        var json = CliOptions.Json();
        var output = CliOptions.Output("Write eval.json, confusion.png and accuracy_vs_frames.png to this folder", required: false, "--out");
        var command = new Command("eval", "Accuracy of a model or temporal ensemble on labelled clips (any weights file `classify` reads).")
        {
            ensemble, frames, stride, fps, size, views, batch, threads, json, output,
        };
        var backend = new BackendOption();
        input.AddTo(command);
        weights.AddTo(command);
        backend.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            if (result.GetValue(threads) is int n) torch.set_num_threads(Math.Max(1, n));
            using var classifier = ClassifyCommand.OpenClassifier(result, weights, result.GetValue(ensemble), backend);
            IReadOnlyList<string>? labels = classifier.Labels;
            var dataset = ClipDataset.Open(input.Get(result)!, labels);
            labels ??= dataset.Classes;
            if (labels.Count != classifier.NumClasses) throw new CliException($"The dataset has {labels.Count} classes, the model {classifier.NumClasses}.");
            var preprocessing = classifier.Preprocessing;
            var loader = new ClipLoader(dataset, new ClipLoaderOptions
            {
                Sampling = new FrameSampling(result.GetValue(frames) ?? preprocessing.Frames, result.GetValue(stride), result.GetValue(fps) ?? preprocessing.Fps),
                Size = result.GetValue(size) ?? preprocessing.Size, BatchSize = result.GetValue(batch), Views = result.GetValue(views),
                // The model's own resize and crop, unless the user asks for another size (then the generic centre crop).
                Preprocessing = result.GetValue(size) is null ? preprocessing : null,
            });
            var evaluation = Evaluator.Evaluate(classifier, loader, (done, total) =>
            {
                if (!result.GetValue(json)) Console.Error.Write($"\reval {done}/{total}");
            });
            if (!result.GetValue(json)) Console.Error.WriteLine();

            string report = ToJson(evaluation, labels);
            if (result.GetValue(output) is string outDir)
            {
                Directory.CreateDirectory(outDir);
                AtomicFile.WriteAllText(Path.Combine(outDir, "eval.json"), report + "\n");
                TrainingPlots.WriteConfusion(Path.Combine(outDir, "confusion.png"), evaluation.Metrics.Confusion, labels);
                if (evaluation.AccuracyVsFrames.Count > 0)
                    TrainingPlots.WriteAccuracyVsFrames(Path.Combine(outDir, "accuracy_vs_frames.png"), evaluation.AccuracyVsFrames);
            }
            if (result.GetValue(json)) Console.WriteLine(report);
            else Print(evaluation, labels);
            return 0;
        }));
        return command;
    }

    public static string ToJson(EvaluationResult r, IReadOnlyList<string> labels)
    {
        var m = r.Metrics;
        int k = labels.Count;
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["clips"] = m.Clips, ["top1"] = m.Top1, ["top5"] = m.Top5,
            ["per_class"] = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => double.IsNaN(m.PerClass[p.i]) ? (double?)null : m.PerClass[p.i]),
            ["labels"] = labels,
            ["confusion"] = Enumerable.Range(0, k).Select(row => Enumerable.Range(0, k).Select(col => m.Confusion[row, col]).ToArray()).ToArray(),
            ["accuracy_vs_frames"] = r.AccuracyVsFrames.Select(p => new Dictionary<string, object> { ["frames"] = p.Frames, ["top1"] = p.Accuracy }).ToArray(),
            ["clips_per_s"] = r.ClipsPerSecond,
        });
    }

    private static void Print(EvaluationResult r, IReadOnlyList<string> labels)
    {
        var m = r.Metrics;
        Console.WriteLine($"clips {m.Clips}  top-1 {m.Top1:P2}  top-5 {m.Top5:P2}  ({r.ClipsPerSecond:F1} clips/s)");
        for (int i = 0; i < labels.Count; i++)
            Console.WriteLine($"  {labels[i],-24} {(double.IsNaN(m.PerClass[i]) ? "-" : m.PerClass[i].ToString("P1"))}");
        if (r.AccuracyVsFrames.Count > 0)
            Console.WriteLine("accuracy vs frames: " + string.Join("  ", r.AccuracyVsFrames.Select(p => $"{p.Frames}:{p.Accuracy:P0}")));
    }
}
