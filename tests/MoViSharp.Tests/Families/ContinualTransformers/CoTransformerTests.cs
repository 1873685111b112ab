using MoViSharp.Families.ContinualTransformers;
using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Weights;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.ContinualTransformers;

public class CoTransformerTests
{
    private static VideoModel Small(int blocks) => TestModels.Randomize(ModelRegistry.Build(new CoTransformerConfig
    {
        Name = "tiny-cotrans", NumClasses = 4, Backbone = Training.TinyModels.Config(causal: true), Channels = 16, Heads = 2,
        FeedForward = 32, Blocks = blocks, Window = 4,
    }), seed: 41);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ACnnBackboneWithAContinualEncoderStreamsAndCompiles(int blocks)
    {
        using var scope = NewDisposeScope();
        var model = Small(blocks);
        Assert.True(model.Streamable);
        Assert.Equal(0, model.Temporal.Delay);
        var clip = TestModels.Clip(7, 32);
        using var mode = inference_mode();
        var whole = model.Logits(clip);                                   // [1, 7, 4]
        using var state = model.InitialState(1, 32, 32);
        var steps = stack(Enumerable.Range(0, 7).Select(t => model.StepLogits(clip.select(2, t), state)).ToList(), 1);
        Assert.True(TestModels.MaxAbsDiff(whole, steps) <= 1e-4);
        Inference.CompiledModelTests.AssertCompiledMatchesPlain(model, 5, 32, allCompileOptions: false);
    }

    [Fact]
    public void TheRegisteredModelsDescribeThemselvesAndRoundTripThroughACheckpoint()
    {
        using var scope = NewDisposeScope();
        using var b2 = ModelRegistry.Create("a0-cotrans-b2");
        Assert.Equal(600, b2.NumClasses);
        var small = Small(2);
        string path = Path.Combine(Directory.CreateTempSubdirectory("cotrans").FullName, "m.safetensors");
        MoViSharpCheckpoint.Save(path, small);
        using var loaded = CheckpointLoader.Load(path);
        Assert.Equal(ModelConfigFile.Write(small.Config), ModelConfigFile.Write(loaded.Model.Config));
        var clip = TestModels.Clip(5, 32);
        using var mode = inference_mode();
        Assert.True(TestModels.MaxAbsDiff(small.Logits(clip), loaded.Model.Logits(clip)) <= 1e-6);
    }
}
