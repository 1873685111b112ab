using MoViSharp.Data;
using MoViSharp.Data.Synthetic;
using MoViSharp.Training;
using MoViSharp.Weights;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Training;

public class TrainerTests
{
    private static readonly TrainingOptions Options = new()
    {
        LearningRate = 3e-3, WarmupSteps = 1, LabelSmoothing = 0.1, ClipGradNorm = 1.0, WeightDecay = 0.01, Seed = 1,
    };

    [Fact]
    public void AFewStepsOnATinySyntheticSetReduceTheLoss()
    {
        string dir = Directory.CreateTempSubdirectory("movisharp-train-").FullName;
        try
        {
            SyntheticDatasetWriter.Write(dir, perClass: 1, seed: 3, frames: 8, size: 32);
            var data = ClipDataset.Open(dir);
            var loader = new ClipLoader(data, new ClipLoaderOptions
            {
                Sampling = new FrameSampling(8), Size = 32, BatchSize = 8, Train = true, DropLast = true, Seed = 2,
                Augmentation = new ClipAugmentation { MinArea = 0.5 },
            });
            using var model = TinyModels.Create(classes: data.Classes.Count, seed: 11);
            using var trainer = new Trainer(model, Options with { StreamBufferFrames = 4 }, totalSteps: 40);
            var losses = new List<double>();
            using var batch = loader.Epoch(0).First();
            for (int i = 0; i < 25; i++) losses.Add(trainer.TrainStep(batch.Clips, batch.Labels).Loss);
            Assert.True(losses[^3..].Average() < 0.8 * losses[..3].Average(), $"loss did not fall: {string.Join(", ", losses.Select(l => l.ToString("F3")))}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(OptimizerKind.AdamW)]
    [InlineData(OptimizerKind.RmsProp)]
    public void ResumingFromACheckpointGivesTheSameNextStepAsAnUninterruptedRun(OptimizerKind kind)
    {
        string dir = Directory.CreateTempSubdirectory("movisharp-resume-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            var options = Options with { Optimizer = kind, LearningRate = kind == OptimizerKind.RmsProp ? 0.05 : 3e-3 };
            var clips = TestModels.Clip(8, 32, batch: 4, seed: 9);
            var labels = tensor(new long[] { 0, 1, 2, 3 });

            using var straight = TinyModels.Create(seed: 5);
            // One start for both runs, whatever other tests draw from the global generator meanwhile.
            using var start = TinyModels.Create(seed: 5);
            FineTuning.CopyWeights(straight, start);
            using var straightTrainer = new Trainer(straight, options, totalSteps: 10);
            for (int i = 0; i < 3; i++) straightTrainer.TrainStep(clips, labels);

            using var first = TinyModels.Create(seed: 5);
            FineTuning.CopyWeights(start, first);
            using (var firstTrainer = new Trainer(first, options, totalSteps: 10))
            {
                for (int i = 0; i < 2; i++) firstTrainer.TrainStep(clips, labels);
                MoViSharpCheckpoint.Save(Path.Combine(dir, "m.safetensors"), first);
                firstTrainer.SaveOptimizer(Path.Combine(dir, "m.optim"));
            }
            var (resumed, _) = MoViSharpCheckpoint.Load(Path.Combine(dir, "m.safetensors"));
            using (resumed)
            using (var resumedTrainer = new Trainer(resumed, options, totalSteps: 10) { Step = 2 })
            {
                resumedTrainer.LoadOptimizer(Path.Combine(dir, "m.optim"));
                resumedTrainer.TrainStep(clips, labels);
                var expected = straight.state_dict();
                foreach (var (name, t) in resumed.state_dict())
                    Assert.True(TestModels.MaxAbsDiff(t.to_type(ScalarType.Float32), expected[name].to_type(ScalarType.Float32)) < 1e-6, $"{name}: {TestModels.MaxAbsDiff(t.to_type(ScalarType.Float32), expected[name].to_type(ScalarType.Float32))}");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_frozen_backbone_keeps_its_weights_and_batch_norm_statistics_while_the_head_learns()
    {
        using var scope = NewDisposeScope();
        var clips = TestModels.Clip(8, 32, batch: 4, seed: 9);
        var labels = tensor(new long[] { 0, 1, 2, 3 });
        foreach (bool freeze in new[] { true, false })
        {
            using var model = TestModels.Randomize(TinyModels.Create(seed: 5), 3);
            var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
            using (var trainer = new Trainer(model, Options with { FreezeBackbone = freeze }, totalSteps: 4))
                for (int i = 0; i < 2; i++) trainer.TrainStep(clips, labels);
            string head = model.Items[^1].Name + ".";
            var changed = model.state_dict().Where(p => !p.Value.to_type(ScalarType.Float64).eq(before[p.Key].to_type(ScalarType.Float64)).all().item<bool>())
                .Select(p => p.Key).ToList();
            Assert.Contains(changed, n => n.StartsWith(head));
            if (freeze) Assert.All(changed, n => Assert.StartsWith(head, n));
            else Assert.Contains(changed, n => !n.StartsWith(head) && n.EndsWith("running_mean"));     // the contrast: unfrozen, statistics move
        }
    }

    [Fact]
    public void FineTuningReplacesOnlyTheClassifierLogits()
    {
        using var source = TestModels.Randomize(TinyModels.Create(classes: 4), 2);
        using var tuned = FineTuning.WithNewHead(source, 7);
        Assert.Equal(7, tuned.Config.NumClasses);
        var from = source.state_dict();
        foreach (var (name, t) in tuned.state_dict())
        {
            if (name.StartsWith("classifier.logits.")) Assert.Equal(7, t.shape[0]);
            else Assert.True(TestModels.MaxAbsDiff(t.to_type(ScalarType.Float32), from[name].to_type(ScalarType.Float32)) == 0, name);
        }
    }
}
