using MoViSharp.Families.Continual;
using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Weights;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.Continual;

/// <summary>A clip model built from the shared blocks becomes continual by conversion, weights unchanged.</summary>
public class ContinualConversionTests
{
    private static ContinualConfig Config(int window = 6, TemporalFill fill = TemporalFill.Zeros) => new()
    {
        Name = "co-t0", NumClasses = 5, BaseConfig = MoViNetSpecs.Get("t0", MoViNetVariant.Base) with { NumClasses = 5 }, PoolWindow = window, Fill = fill,
    };

    private static ContinualModel Model(ContinualConfig config) => (ContinualModel)TestModels.Randomize(ModelRegistry.Build(config), seed: 21);

    [Fact]
    public void TheClipModelOnlyRunsOnClipsItsContinualFormStreamsWithADelay()
    {
        using var clip = MoViNet.Create("t0", MoViNetVariant.Base, 5);
        Assert.False(clip.Streamable);
        using var model = Model(Config());
        Assert.True(model.Streamable);
        // t0-base: 1×5×5 stem layer, then 5×3×3 and 3×3×3 kernels with TF-same padding: each looks (k−1)/2 frames ahead.
        var temporal = model.Temporal;
        Assert.True(temporal.Delay > 0, temporal.ToString());
        Assert.Empty(model.modules().OfType<MoViSharp.Layers.GlobalAveragePool>());
        Assert.Single(model.modules().OfType<MoViSharp.Layers.WindowAveragePool>());
        Assert.All(model.modules().OfType<MoViSharp.Layers.SqueezeExcitation>(), se => Assert.Equal(MoViSharp.Layers.SqueezeExcitationType.TwoD, se.Type));
        // Weights unchanged: the same names and shapes as the clip model.
        Assert.Equal(clip.state_dict().Keys.Order(), model.state_dict().Keys.Order());
    }

    [Fact]
    public void StepOutputNIsTheClipOutputOfFrameNMinusTheDelay()
    {
        using var scope = NewDisposeScope();
        var model = Model(Config());
        int delay = model.Temporal.Delay, field = model.Temporal.ReceptiveField, frames = field + 8;
        var clip = TestModels.Clip(frames, 40, seed: 4);
        using var mode = inference_mode();
        var whole = model.Logits(clip);                                           // [1, T, K]: the clip call, zero padding
        using var state = model.InitialState(1, 40, 40);
        var steps = stack(Enumerable.Range(0, frames).Select(t => model.StepLogits(clip.select(2, t), state)).ToList(), 1);
        // Past the transient (one receptive field), step n answers for frame n − delay exactly as the clip call does.
        for (int n = field - 1; n < frames; n++)
            Assert.True(TestModels.MaxAbsDiff(steps.select(1, n), whole.select(1, n - delay)) <= 1e-4, $"step {n}");
        // Before it, the layers saw the fill where the clip call saw zero padding at every depth.
        Assert.True(TestModels.MaxAbsDiff(steps.select(1, delay), whole.select(1, 0)) > 1e-4);
    }

    [Fact]
    public void ReplicateFillMakesAStillVideoSettleAtOnce()
    {
        using var scope = NewDisposeScope();
        var replicate = Model(Config(fill: TemporalFill.Replicate));
        var zeros = Model(Config(fill: TemporalFill.Zeros));
        var frame = TestModels.Clip(1, 40, seed: 8).select(2, 0);
        using var mode = inference_mode();
        using var a = replicate.InitialState(1, 40, 40);
        using var b = zeros.InitialState(1, 40, 40);
        var first = replicate.StepLogits(frame, a);
        Tensor last = first;
        for (int t = 1; t < 30; t++) last = replicate.StepLogits(frame, a);
        // A still video under the "boring video" fill looks still from the first step; under zero fill it needs a receptive field.
        Assert.True(TestModels.MaxAbsDiff(first, last) <= 1e-4, $"replicate: {TestModels.MaxAbsDiff(first, last)}");
        var zeroFirst = zeros.StepLogits(frame, b);
        Tensor zeroLast = zeroFirst;
        for (int t = 1; t < 30; t++) zeroLast = zeros.StepLogits(frame, b);
        Assert.True(TestModels.MaxAbsDiff(zeroFirst, zeroLast) > 1e-3);
        Assert.True(TestModels.MaxAbsDiff(last, zeroLast) <= 1e-4, "after the transient both fills agree");
    }

    [Theory]
    [InlineData(TemporalFill.Zeros)]
    [InlineData(TemporalFill.Replicate)]
    public void TheStartUpTransientEndsAfterOneReceptiveField(TemporalFill fill)
    {
        using var scope = NewDisposeScope();
        var model = Model(Config(fill: fill));
        int field = model.Temporal.ReceptiveField;
        var video = TestModels.Clip(2 * field + 4, 40, seed: 6);
        var distance = ContinualTransient.RelativeDistance(model, video.narrow(2, 0, field), video.narrow(2, field, field + 4));
        Assert.True(distance[0] > 1e-3, $"a cold start differs at first: {distance[0]}");
        for (int t = field - 1; t < distance.Length; t++) Assert.True(distance[t] <= 1e-4, $"frame {t}: {distance[t]}");
    }

    [Fact]
    public void TheCompiledContinualModelGivesThePlainLogits() =>
        Inference.CompiledModelTests.AssertCompiledMatchesPlain(Model(Config()), 8, 40, allCompileOptions: false);

    [Fact]
    public void AContinualCheckpointRebuildsItselfWithItsBase()
    {
        using var scope = NewDisposeScope();
        var model = Model(Config(window: 4, fill: TemporalFill.Replicate));
        string path = Path.Combine(Directory.CreateTempSubdirectory("co").FullName, "co.safetensors");
        MoViSharpCheckpoint.Save(path, model);
        using var loaded = CheckpointLoader.Load(path);
        var config = Assert.IsType<ContinualConfig>(loaded.Model.Config);
        Assert.Equal((4, TemporalFill.Replicate, "movinet"), (config.PoolWindow!.Value, config.Fill, config.Base.Family));
        var clip = TestModels.Clip(6, 40);
        using var mode = inference_mode();
        Assert.True(TestModels.MaxAbsDiff(model.Logits(clip), loaded.Model.Logits(clip)) <= 1e-6);
    }
}
