using MoViSharp.Data;
using MoViSharp.Data.Synthetic;
using MoViSharp.Models;
using MoViSharp.Search;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Search;

[Collection(SeededTorchCollection.Name)]
public sealed class OneShotSearchTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("movisharp-oneshot-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Two kernels (one spatial, one temporal), depth 1–2, 4 frames at 32².</summary>
    private static MoViNetSearchSpace Space(bool causal) => SearchTestSpaces.Tiny with
    {
        Kernels = [(1, 3), (3, 3)], Causal = [causal], FrameStrides = [1],
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_path_is_the_standalone_network_it_names_with_the_supernet_weights(bool causal)
    {
        var shot = new OneShotSpace(Space(causal), expansionChoices: 2);
        Assert.Equal(2, shot.Expansions[0].Count);
        torch.manual_seed(5);
        using var supernet = new OneShotSupernet(shot, classes: 3);
        // ReZero scales start at 0, which would make every branch invisible: give them values so the branches count.
        using (no_grad())
            foreach (var (name, scale) in supernet.named_parameters().Where(p => p.name.EndsWith("rezero", StringComparison.Ordinal)))
                scale.uniform_(0.5, 1.5);
        Assert.Equal(5 * 2 * 2, supernet.CandidateCount);         // blocks × slots × kernels: expansions are slices
        Assert.Equal(supernet.CandidateCount, shot.CandidateCount);
        var random = new SplitMix64(11);
        var sampled = shot.Decisions.Select(d => random.NextInt(d.Count)).ToArray();
        using var clips = torch.rand([2L, 3, 4, 32, 32]);
        var narrowest = shot.Decisions.Select(_ => 0).ToArray();     // every layer sliced to its smallest expansion
        foreach (var path in new[] { shot.Largest(), sampled, narrowest })
        {
            var architecture = shot.ToArchitecture(path);
            Assert.True(shot.Space.Contains(architecture), string.Join("; ", shot.Space.Violations(architecture)));
            // A training-mode pass gives the path's batch norms statistics other than the initial ones.
            using (no_grad()) { supernet.train(); supernet.Forward(clips, path).Dispose(); }
            supernet.eval();
            using var logits = supernet.Forward(clips, path);
            Assert.Equal([2L, 3L], logits.shape);
            using var net = supernet.Extract(path, classes: 3);
            Assert.Equal(architecture.LayerCount, net.Layers.Count);
            net.eval();
            using var expected = net.forward(clips);
            double diff = (logits - expected).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"path {string.Join(",", path)}: max |supernet − standalone| = {diff}");
        }
    }

    [Fact]
    public void A_narrow_expansion_trains_the_leading_channels_of_the_widest_and_nothing_else()
    {
        var shot = new OneShotSpace(Space(causal: true), expansionChoices: 2);
        Assert.True(shot.Space.SqueezeExcitation[0], "the tiny space's SE must be on, so the SE slices are exercised");
        torch.manual_seed(6);
        using var supernet = new OneShotSupernet(shot, classes: 3);
        var path = shot.Largest();
        path[shot.ExpandDecision(2, 0)] = 0;                            // block 2, layer 0 at the narrow expansion
        var (layer, narrow) = supernet.Candidate(path, 2, 0);
        int widest = layer.Options.ExpandChannels;
        Assert.True(narrow < widest, $"expansions {narrow} and {widest}");
        var expansion = layer.Expansion.parameters().First(p => p.dim() > 1);    // [widest, in, …]
        var projection = layer.Projection.parameters().First(p => p.dim() > 1); // [out, widest, …]
        using (no_grad()) layer.ReZeroScale?.fill_(1);                  // at its initial 0 the branch would get no gradient
        using var expansionBefore = expansion.detach().clone();
        using var projectionBefore = projection.detach().clone();
        var optimizer = torch.optim.SGD(supernet.parameters(), 0.5);
        using var clips = torch.rand([2L, 3, 4, 32, 32]);
        supernet.train();
        optimizer.zero_grad();
        using (var loss = torch.nn.functional.cross_entropy(supernet.Forward(clips, path), torch.tensor(new long[] { 0, 2 })))
            loss.backward();
        optimizer.step();
        using var expansionStep = (expansion.detach() - expansionBefore).abs();
        using var projectionStep = (projection.detach() - projectionBefore).abs();
        Assert.True(expansionStep.narrow(0, 0, narrow).max().item<float>() > 0, "the slice's expansion rows did not train");
        Assert.Equal(0f, expansionStep.narrow(0, narrow, widest - narrow).max().item<float>());
        Assert.True(projectionStep.narrow(1, 0, narrow).max().item<float>() > 0, "the slice's projection columns did not train");
        Assert.Equal(0f, projectionStep.narrow(1, narrow, widest - narrow).max().item<float>());
    }

    [Fact]
    public void Skipped_layers_do_not_matter_and_depth_shortens_the_network()
    {
        var shot = new OneShotSpace(Space(true), expansionChoices: 2);
        var path = shot.Largest();
        path[shot.DepthDecision(1)] = 0;                           // block 1 at depth 1: its layer-1 choices are unused
        var other = (int[])path.Clone();
        other[shot.KernelDecision(1, 1)] = 0;
        Assert.Equal(shot.ToArchitecture(path), shot.ToArchitecture(other));
        Assert.Single(shot.ToArchitecture(path).Blocks[1].Layers);
    }

    [Fact]
    public void The_controller_moves_towards_the_choice_with_the_higher_reward()
    {
        var controller = new ReinforceController([3, 2], learningRate: 0.5);
        var random = new SplitMix64(1);
        for (int i = 0; i < 300; i++)
        {
            var path = controller.Sample(ref random);
            controller.Update(path, path[0] == 2 ? 1.0 : 0.2);        // decision 1 does not affect the reward
        }
        var p = controller.Probabilities(0);
        Assert.True(p[2] > 0.9, $"p = [{string.Join(", ", p)}]");
        Assert.Equal(2, controller.Argmax()[0]);
        Assert.InRange(controller.Baseline!.Value, 0.8, 1.0);
    }

    [Fact]
    public void The_same_seed_finds_the_same_network_and_it_builds_through_the_registry()
    {
        string trainDir = Path.Combine(root, "train"), valDir = Path.Combine(root, "val");
        SyntheticDatasetWriter.Write(trainDir, perClass: 2, seed: 3, frames: 4, size: 32);
        SyntheticDatasetWriter.Write(valDir, perClass: 1, seed: 4, frames: 4, size: 32);
        var train = ClipDataset.Open(trainDir);
        var val = ClipDataset.Open(valDir, train.Classes);
        var space = Space(true) with { DepthMax = 1 };
        int classes = train.Classes.Count;
        var cost = new MacsCost(space, classes);
        var shot = new OneShotSpace(space, expansionChoices: 2);
        double target = cost.Of(shot.ToArchitecture(shot.Largest())) * 0.8;
        var settings = new OneShotSettings { Epochs = 2, WarmupEpochs = 1, BatchSize = 4, Target = target, ExpansionChoices = 2, Seed = 7 };

        OneShotResult Search()
        {
            var search = new OneShotSearch(space, cost, train, val, settings);
            return search.Run();
        }
        var first = Search();
        var second = Search();
        Assert.True(first.Completed);
        Assert.NotEmpty(first.Steps);
        Assert.Single(first.Epochs);                                 // one epoch after warm-up
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(first.Steps.Select(s => (s.Reward, s.Loss)), second.Steps.Select(s => (s.Reward, s.Loss)));
        Assert.Equal(first.Controller.Updates, first.Steps.Count);
        Assert.All(first.Steps, s => Assert.Equal(settings.Reward(s.Accuracy, s.Cost), s.Reward));

        Assert.True(space.Contains(first.Architecture));
        using var model = ModelRegistry.Build(space.ToConfig(first.Architecture, classes));
        using var logits = model.forward(torch.rand([1L, 3, 4, 32, 32]));
        Assert.Equal([1L, classes], logits.shape);
    }

    [Fact]
    public void An_interrupted_search_resumes_to_the_uninterrupted_result()
    {
        string trainDir = Path.Combine(root, "train"), valDir = Path.Combine(root, "val");
        SyntheticDatasetWriter.Write(trainDir, perClass: 1, seed: 3, frames: 4, size: 32);
        SyntheticDatasetWriter.Write(valDir, perClass: 1, seed: 4, frames: 4, size: 32);
        var train = ClipDataset.Open(trainDir);
        var val = ClipDataset.Open(valDir, train.Classes);
        var space = Space(true) with { DepthMax = 1 };
        var cost = new MacsCost(space, train.Classes.Count);
        var settings = new OneShotSettings { Epochs = 3, WarmupEpochs = 1, BatchSize = 4, Target = 0.5, ExpansionChoices = 2, Seed = 9 };

        var whole = new OneShotSearch(space, cost, train, val, settings, Path.Combine(root, "whole.json")).Run();
        string path = Path.Combine(root, "resumed.json");
        OneShotResult stopped;
        using (var stop = new CancellationTokenSource())
        {
            var first = new OneShotSearch(space, cost, train, val, settings, path);
            first.EpochDone += (epoch, _, _) => { if (epoch == 1) stop.Cancel(); };      // Ctrl+C after the second epoch
            stopped = first.Run(stop.Token);
        }
        Assert.False(stopped.Completed);
        Assert.Single(stopped.Epochs);
        var resumed = new OneShotSearch(space, cost, train, val, settings, path).Run();
        Assert.True(resumed.Completed);
        Assert.Equal(whole.Path, resumed.Path);
        Assert.Equal(whole.Steps.Select(s => (s.Step, s.Reward, s.Loss, s.Baseline)), resumed.Steps.Select(s => (s.Step, s.Reward, s.Loss, s.Baseline)));
        Assert.Equal(whole.Epochs.Select(e => (e.Accuracy, e.Architecture)), resumed.Epochs.Select(e => (e.Accuracy, e.Architecture)));
        Assert.Equal(whole.Controller.ToJson().ToJsonString(), resumed.Controller.ToJson().ToJsonString());
        Assert.False(File.Exists(path + ".epoch2.bin"));                                  // only the newest supernet file is kept
        Assert.True(File.Exists(path + ".epoch3.bin"));

        var other = new OneShotSearch(space, cost, train, val, settings with { Seed = 10 }, path);
        Assert.Contains("another search", Assert.Throws<InvalidOperationException>(() => other.Run()).Message);
    }
}
