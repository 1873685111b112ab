using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Data;
using MoViSharp.IO;
using MoViSharp.Models;
using MoViSharp.Weights;
using TorchSharp;

namespace MoViSharp.Training;

/// <summary>
/// The epoch loop: trains, validates, and after every epoch writes OUT/epoch_NNN.safetensors (model, labels, provenance),
/// OUT/epoch_NNN.optim (optimizer state) and OUT/metrics.csv; at the end OUT/model.safetensors. Resuming loads the last epoch's
/// model and optimizer state and continues with the same schedule step and data order (both are functions of seed and epoch;
/// the torch generator is re-seeded per epoch, so dropout and stochastic depth also match an uninterrupted run).
/// </summary>
public sealed class TrainingRun(VideoModel model, TrainingRunSettings settings)
{
    public VideoModel Model { get; } = model;
    public TrainingRunSettings Settings { get; } = settings;
    public event Action<TrainingProgress>? Progress;
    public event Action<IReadOnlyList<EpochMetrics>>? EpochCompleted;

    public static string EpochPath(string directory, int epoch, string extension) =>
        Path.Combine(directory, $"epoch_{epoch.ToString("D3", CultureInfo.InvariantCulture)}.{extension}");

    /// <summary>The last epoch with both a model checkpoint and an optimizer state in <paramref name="directory"/>, or 0.</summary>
    public static int LastCompleteEpoch(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Resume folder '{directory}' not found.");
        return Directory.GetFiles(directory, "epoch_*.safetensors")
            .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f)["epoch_".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int e) ? e : 0)
            .Where(e => e > 0 && File.Exists(EpochPath(directory, e, "optim")))
            .DefaultIfEmpty(0).Max();
    }

    public IReadOnlyList<EpochMetrics> Run(CancellationToken cancellationToken = default)
    {
        var s = Settings;
        string output = s.OutputDirectory;
        Directory.CreateDirectory(output);
        AtomicFile.WriteAllText(Path.Combine(output, "command.txt"), s.CommandLine + "\n");
        var loader = new ClipLoader(s.TrainData, s.TrainLoader);
        var valLoader = s.ValData is not null && s.ValLoader is not null ? new ClipLoader(s.ValData, s.ValLoader) : null;
        int batches = loader.BatchesPerEpoch;
        if (batches == 0) throw new InvalidOperationException($"{s.TrainData.Source}: {s.TrainData.Count} clips make no full batch of {s.TrainLoader.BatchSize}.");
        using var trainer = new Trainer(Model, s.Training, s.Training.Epochs * batches);
        var history = new List<EpochMetrics>();
        int first = 1;
        if (s.ResumeDirectory is { } resume)
        {
            int done = LastCompleteEpoch(resume);
            if (done == 0) throw new InvalidOperationException($"{resume}: no epoch_NNN.safetensors with a matching epoch_NNN.optim to resume from.");
            var (saved, _) = MoViSharpCheckpoint.Load(EpochPath(resume, done, "safetensors"));
            using (saved) FineTuning.CopyWeights(saved, Model);
            trainer.LoadOptimizer(EpochPath(resume, done, "optim"));
            trainer.Step = done * batches;
            string metrics = Path.Combine(resume, "metrics.csv");
            if (File.Exists(metrics)) history.AddRange(MetricsCsv.Read(metrics).Where(m => m.Epoch <= done));
            first = done + 1;
        }

        var labels = s.TrainData.Classes;
        for (int epoch = first; epoch <= s.Training.Epochs; epoch++)
        {
            torch.manual_seed(s.Training.Seed * 1000 + epoch);
            var watch = Stopwatch.StartNew();
            double lossSum = 0; int correct = 0, seen = 0, batch = 0;
            double lr = trainer.CurrentLearningRate;
            foreach (var clips in loader.Epoch(epoch, cancellationToken))
            {
                using (clips)
                {
                    lr = trainer.CurrentLearningRate;
                    var step = trainer.TrainStep(clips.Clips, clips.Labels);
                    lossSum += step.Loss * step.Count; correct += step.Correct; seen += step.Count; batch++;
                    Progress?.Invoke(new TrainingProgress(epoch, s.Training.Epochs, batch, batches, lossSum / seen, (double)correct / seen,
                        seen / watch.Elapsed.TotalSeconds, step.LearningRate));
                }
            }
            double trainSeconds = watch.Elapsed.TotalSeconds;
            double top1 = double.NaN, top5 = double.NaN;
            if (valLoader is not null)
            {
                Model.eval();
                var result = Evaluator.Evaluate(new ModelClassifier(Model), valLoader, cancellationToken: cancellationToken);
                (top1, top5) = (result.Metrics.Top1, result.Metrics.Top5);
            }
            var row = new EpochMetrics(epoch, lr, lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen), top1, top5,
                seen / trainSeconds, watch.Elapsed.TotalSeconds);
            history.Add(row);
            Model.eval();
            MoViSharpCheckpoint.Save(EpochPath(output, epoch, "safetensors"), Model, labels, Provenance(row, trainer.Step));
            trainer.SaveOptimizer(EpochPath(output, epoch, "optim"));
            MetricsCsv.Write(Path.Combine(output, "metrics.csv"), history);
            EpochCompleted?.Invoke(history);
        }
        Model.eval();
        var last = history.Count > 0 ? history[^1] : null;
        MoViSharpCheckpoint.Save(Path.Combine(output, "model.safetensors"), Model, labels, last is null ? Settings.Metadata : Provenance(last, trainer.Step));
        return history;
    }

    private Dictionary<string, string> Provenance(EpochMetrics m, int step)
    {
        var meta = Settings.Metadata?.ToDictionary() ?? [];
        meta["training"] = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["command"] = Settings.CommandLine, ["epoch"] = m.Epoch, ["epochs"] = Settings.Training.Epochs, ["step"] = step,
            ["seed"] = Settings.Training.Seed, ["frames"] = Settings.TrainLoader.Sampling.Frames, ["stride"] = Settings.TrainLoader.Sampling.Stride,
            ["fps"] = Settings.TrainLoader.Sampling.Fps, ["size"] = Settings.TrainLoader.Size,
            ["train_loss"] = m.TrainLoss, ["train_acc"] = m.TrainAccuracy,
            ["val_top1"] = double.IsNaN(m.ValTop1) ? null : m.ValTop1, ["val_top5"] = double.IsNaN(m.ValTop5) ? null : m.ValTop5,
        });
        return meta;
    }
}
