using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Classification;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Streaming;

public class StreamStateTests
{
    [Fact]
    public void A0StreamStateHasTheOfficialNamesAndShapes()
    {
        using var model = MoViNet.Create("a0", MoViNetVariant.Stream);
        var specs = MoViNetStateNames.OfficialSpecs(model, 1, 172, 172).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal(new long[] { 1, 2, 22, 22, 80 }, specs["state_block1_layer0_stream_buffer"]);
        Assert.Equal(new long[] { 1, 4, 11, 11, 184 }, specs["state_block2_layer0_stream_buffer"]);
        Assert.Equal(new long[] { 1, 4, 11, 11, 184 }, specs["state_block3_layer0_stream_buffer"]);
        Assert.Equal(new long[] { 1, 4, 6, 6, 384 }, specs["state_block4_layer0_stream_buffer"]);
        Assert.Equal(new long[] { 1, 1, 1, 1, 24 }, specs["state_block0_layer0_pool_buffer"]);
        Assert.Equal(new long[] { 1 }, specs["state_block0_layer0_pool_frame_count"]);
        Assert.Equal(new long[] { 1, 1, 1, 1, 480 }, specs["state_head_pool_buffer"]);
        Assert.Equal(new long[] { 1 }, specs["state_head_pool_frame_count"]);
        Assert.DoesNotContain("state_block0_layer0_stream_buffer", specs.Keys);    // 1×5×5 kernel: no buffer
    }

    [Fact]
    public void ThreeDConvTypeBuffersBeforeTheSpatialStride()
    {
        using var model = MoViNet.Create("a0", MoViNetVariant.Stream, customize: c => c with { ConvType = MoViSharp.Layers.ConvType.ThreeD });
        var specs = MoViNetStateNames.OfficialSpecs(model, 1, 172, 172).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal(new long[] { 1, 2, 43, 43, 80 }, specs["state_block1_layer0_stream_buffer"]);   // pre-stride 43×43
        Assert.Equal(new long[] { 1, 80, 2, 43, 43 }, model.StateSpecs(1, 172, 172).Single(s => s.Name == "blocks.b1_l0.feature.conv.buffer").Shape);
    }

    [Fact]
    public void StateAfterStepsHasTheSpecifiedShapesAndConstantSize()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("a0");
        using var state = model.InitialState(1, 48, 48);
        var specs = model.StateSpecs(1, 48, 48);
        long initial = state.ElementCount;
        using var mode = inference_mode();
        for (int t = 0; t < 12; t++)
        {
            using var step = NewDisposeScope();
            model.StepLogits(rand([1, 3, 48, 48]), state);
        }
        Assert.Equal(specs.Select(s => s.Name), state.Names);
        foreach (var spec in specs) Assert.Equal(spec.Shape, state[spec.Name].shape);
        Assert.Equal(initial, state.ElementCount);
        using var official = MoViNetStateNames.ToOfficial(model, state);
        Assert.Equal(new[] { 12 }, official["state_head_pool_frame_count"].data<int>().ToArray());
        // The mapping is one to one: back from the official names gives the state itself.
        using var back = MoViNetStateNames.FromOfficial(model, official);
        Assert.Equal(state.Names.Order(), back.Names.Order());
        foreach (var name in state.Names) Assert.True(state[name].eq(back[name]).all().item<bool>(), name);
    }

    [Fact]
    public void StreamsInABatchAreIndependentAndCanBeSplitAndJoined()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0");
        var a = TestModels.Clip(3, 40, seed: 1);
        var b = TestModels.Clip(3, 40, seed: 2);
        using var mode = inference_mode();
        using var batchState = model.InitialState(2, 40, 40);
        var together = model.Logits(cat([a, b], 0), batchState);
        var alone = model.Logits(b);
        Assert.True(TestModels.MaxAbsDiff(together.narrow(0, 1, 1), alone) <= 1e-4);

        // Take stream 1 out, continue it alone; join it with a fresh stream and continue both.
        using var second = batchState.Select(1);
        var next = TestModels.Clip(2, 40, seed: 3);
        using var copy = second.Clone();
        var continued = model.Logits(next, second);
        using var fresh = model.InitialState(1, 40, 40);
        using var joined = StreamState.Concatenate([copy, fresh]);
        var both = model.Logits(cat([next, next], 0), joined);
        Assert.True(TestModels.MaxAbsDiff(both.narrow(0, 0, 1), continued) <= 1e-4);
        Assert.True(TestModels.MaxAbsDiff(both.narrow(0, 1, 1), model.Logits(next)) <= 1e-4);
        Assert.Equal(new[] { 5, 2 }, joined["pool.count"].data<int>().ToArray());
    }

    [Fact]
    public void MismatchedStateGivesAClearError()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0");
        using var state = model.InitialState(1, 40, 40);
        var error = Assert.Throws<ArgumentException>(() => model.StepLogits(rand([1, 3, 48, 48]), state));
        Assert.Equal("State 'blocks.b1_l0.feature.temporal.buffer' has shape [1, 72, 2, 5, 5], expected [1, 72, 2, 6, 6] for this input.", error.Message);
        var batch = Assert.Throws<ArgumentException>(() => model.StepLogits(rand([2, 3, 40, 40]), state));
        Assert.Equal("The stream state holds 1 streams but the clip has batch 2.", batch.Message);
    }
}
