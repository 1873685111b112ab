using MoViSharp.Families.TSM;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.TSM;

/// <summary>
/// Online TSM on the ResNet path (the MobileNetV2 path is checked on the real tiny file in <see cref="TsmCheckpointTests"/>): one
/// frame at a time equals the causal clip call frame for frame, in one call or in chunks; the offline model differs from it only
/// through its shift; and the offline backbone's residual shifts stream with one frame of delay per shifted block.
/// </summary>
public sealed class TsmOnlineTests
{
    private static TsmConfig TinyResNet(TemporalShiftMode mode) => new()
    {
        Name = "tiny", NumClasses = 3, Backbone = TsmBackbone.ResNet, ShiftMode = mode, StemChannels = 16, Blocks = [2, 1], Widths = [8, 16],
        DropoutRate = 0,
    };

    private static TsmNet Build(TemporalShiftMode mode)
    {
        var model = new TsmNet(TinyResNet(mode));
        TestModels.Randomize(model, seed: 5);
        model.eval();
        return model;
    }

    [Fact]
    public void OnlineResNetStepsEqualItsCausalClipCall()
    {
        using var scope = NewDisposeScope();
        using var online = Build(TemporalShiftMode.Online);
        Assert.True(online.Streamable);
        Assert.Equal(0, online.Temporal.Delay);
        var clip = TestModels.Clip(6, 32, seed: 9);
        using var _ = inference_mode();
        var whole = online.Logits(clip);                                                   // [1, 6, 3]
        var state = online.InitialState(1, 32, 32);
        var steps = stack(Enumerable.Range(0, 6).Select(t => online.StepLogits(clip.select(2, t), state)).ToList(), 1);
        Assert.True(TestModels.MaxAbsDiff(whole, steps) <= 1e-5);
        var chunked = online.InitialState(1, 32, 32);
        var pieces = cat([online.Logits(clip.narrow(2, 0, 4), chunked), online.Logits(clip.narrow(2, 4, 2), chunked)], 1);
        Assert.True(TestModels.MaxAbsDiff(whole, pieces) <= 1e-5);
        // Per-frame output depends on the past only: changing the last frame leaves the earlier predictions alone.
        var changed = clip.clone();
        changed.select(2, 5).fill_(0.5f);
        Assert.True(TestModels.MaxAbsDiff(online.Logits(changed).narrow(1, 0, 5), whole.narrow(1, 0, 5)) <= 1e-6);
    }

    [Fact]
    public void OnlineAndOfflineModelsShareEveryWeightName()
    {
        using var online = Build(TemporalShiftMode.Online);
        using var offline = Build(TemporalShiftMode.Bidirectional);
        Assert.Equal(offline.state_dict().Keys.Order(), online.state_dict().Keys.Order());
        Assert.False(offline.Streamable);       // average consensus over the clip
        Assert.Equal(3, offline.Layers.Sum(l => l.Count(b => b.Shift is not null)));
    }

    [Fact]
    public void OfflineBackboneStreamsWithOneFrameOfDelayPerShiftedBlock()
    {
        using var scope = NewDisposeScope();
        using var offline = Build(TemporalShiftMode.Bidirectional);
        var layer1 = (MoViSharp.Streaming.Containers.Sequential)offline.named_children().First(c => c.name == "layer1").module;
        Assert.Equal(2, layer1.Temporal.Delay);          // two shifted blocks in series
        var x = randn([1, 16, 5, 8, 8], generator: new Generator(4));
        using var _ = inference_mode();
        var clip = layer1.forward(x);
        // Step n emits frame n − 2. The first and last frames differ: there the clip's second block saw zero padding where the
        // stream sees the first block's output for a zero frame (the transient of stacked non-causal layers).
        var stream = cat([x, zeros([1, 16, 2, 8, 8])], 2);
        var state = new StreamState(1);
        var steps = cat(Enumerable.Range(0, 7).Select(t => layer1.Forward(stream.narrow(2, t, 1), state)).ToList(), 2);
        Assert.True(TestModels.MaxAbsDiff(steps.narrow(2, 3, 3), clip.narrow(2, 1, 3)) <= 1e-5);
        Assert.True(TestModels.MaxAbsDiff(steps.narrow(2, 2, 1), clip.narrow(2, 0, 1)) > 1e-3);
    }
}
