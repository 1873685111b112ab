using System.Diagnostics;
using MoViSharp.Classification;
using MoViSharp.Data;
using MoViSharp.Models;
using MoViSharp.Training;
using TorchSharp;

namespace MoViSharp.Search;

/// <summary>
/// Scores a point by training it from scratch for a short budget (<see cref="BriefTraining"/>) on the training clips, sampled
/// at its own frames, frame stride and resolution, and measuring top-1 on the validation clips (centred clip, no
/// augmentation). Initialisation, data order, crops and dropout all follow the seed, so a seed gives one result.
/// </summary>
public sealed class BriefTrainingEvaluator(ISearchSpace space, ClipDataset train, ClipDataset validation, BriefTraining training) : IArchitectureEvaluator
{
    public CandidateResult Evaluate(ISearchPoint a, long seed, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        torch.manual_seed(seed);
        var config = space.ToConfig(a, train.Classes.Count).ForTraining(a.Frames, a.Resolution);
        var model = ModelRegistry.Build(config);
        try
        {
            var sampling = new FrameSampling(a.Frames, a.FrameStride);
            var trainLoader = new ClipLoader(train, new ClipLoaderOptions
            {
                Sampling = sampling, Size = a.Resolution, BatchSize = training.BatchSize, Train = true, DropLast = true, Seed = seed,
                Augmentation = new ClipAugmentation { MinArea = training.MinCropArea },
            });
            int steps = training.Epochs * trainLoader.BatchesPerEpoch;
            if (steps == 0) throw new ArgumentException($"{train.Source}: {train.Count} clips make no full batch of {training.BatchSize}.");
            var options = new TrainingOptions
            {
                Epochs = training.Epochs, LearningRate = training.LearningRate, WeightDecay = training.WeightDecay,
                WarmupSteps = Math.Max(1, steps / 10), Seed = seed,
            };
            using (var trainer = new Trainer(model, options, steps))
                for (int epoch = 0; epoch < training.Epochs; epoch++)
                {
                    torch.manual_seed(seed * 1000 + epoch);       // dropout and stochastic depth, as TrainingRun seeds them
                    foreach (var batch in trainLoader.Epoch(epoch, cancellationToken))
                        using (batch)
                            trainer.TrainStep(batch.Clips, batch.Labels);
                }
            cancellationToken.ThrowIfCancellationRequested();
            model.eval();
            var valLoader = new ClipLoader(validation, new ClipLoaderOptions { Sampling = sampling, Size = a.Resolution, BatchSize = training.BatchSize });
            using var classifier = new ModelClassifier(model);
            double top1 = Evaluator.Evaluate(classifier, valLoader, cancellationToken: cancellationToken).Metrics.Top1;
            return new CandidateResult(top1, watch.Elapsed.TotalSeconds, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
