using MoViSharp.Layers;
using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Classification;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Models;

public class StreamingEquivalenceTests
{
    private const double Tolerance = 1e-4;

    private static void AssertStreamingMatchesWholeClip(MoViNet model, int frames, int size, int[] split)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var clip = TestModels.Clip(frames, size);
        var whole = model.Logits(clip);                                       // [1, T, K]
        Assert.Equal(new long[] { 1, frames, model.Config.NumClasses }, whole.shape);
        Assert.True(whole.abs().max().item<float>() > 1e-2, "logits must not be trivially zero");

        using var stepState = model.InitialState(1, size, size);
        var perFrame = stack(Enumerable.Range(0, frames).Select(t => model.StepLogits(clip.select(2, t), stepState)).ToList(), 1);
        Assert.True(TestModels.MaxAbsDiff(perFrame, whole) <= Tolerance, $"frame by frame differs by {TestModels.MaxAbsDiff(perFrame, whole)}");

        using var chunkState = model.InitialState(1, size, size);
        var chunks = new List<Tensor>();
        int start = 0;
        foreach (var length in split) { chunks.Add(model.Logits(clip.narrow(2, start, length), chunkState)); start += length; }
        Assert.Equal(frames, start);
        var chunked = cat(chunks, 1);
        Assert.True(TestModels.MaxAbsDiff(chunked, whole) <= Tolerance, $"sub-clips differ by {TestModels.MaxAbsDiff(chunked, whole)}");

        // Both streaming routes end in the same state.
        foreach (var name in stepState.Names)
            Assert.True(TestModels.MaxAbsDiff(stepState[name].to_type(ScalarType.Float32), chunkState[name].to_type(ScalarType.Float32)) <= Tolerance, name);
        Assert.True(TestModels.MaxAbsDiff(model.forward(clip), whole.select(1, -1)) <= Tolerance);
    }

    [Fact]
    public void A0StreamFrameByFrameAndSubClipsEqualTheWholeClip() =>
        AssertStreamingMatchesWholeClip(TestModels.Stream("a0"), 9, 48, [2, 1, 4, 2]);

    [Fact]
    public void A3StreamWithPositionalEncodingFrameByFrameAndSubClipsEqualTheWholeClip()
    {
        var model = TestModels.Stream("a3");
        Assert.True(model.Spec.PositionalEncoding);
        Assert.All(model.Layers, l => Assert.NotNull(l.SqueezeExcitation!.PositionalEncoding));
        AssertStreamingMatchesWholeClip(model, 7, 40, [3, 1, 3]);
    }

    [Fact]
    public void CausalThreeDConvTypeAlsoStreams() =>
        AssertStreamingMatchesWholeClip(TestModels.Stream("t0", customize: c => c with { ConvType = ConvType.ThreeD }), 6, 40, [1, 4, 1]);

    [Fact]
    public void TrainingAndInferenceFactorisationsGiveTheSameLogitsWithTheSameWeights()
    {
        using var scope = NewDisposeScope();
        var inference = TestModels.Stream("a0");                                             // 2plus1d
        var training = MoViNet.Create("a0", MoViNetVariant.Stream, 10, c => c with { ConvType = ConvType.ThreeDTwoPlusOneD });
        training.load_state_dict(inference.state_dict());
        training.eval();
        Assert.Equal(inference.state_dict().Keys.Order(), training.state_dict().Keys.Order());
        var clip = TestModels.Clip(5, 48);
        using var mode = inference_mode();
        Assert.True(TestModels.MaxAbsDiff(inference.Logits(clip), training.Logits(clip)) <= 1e-5);
    }

    [Fact]
    public void PerFrameLogitsDependOnlyOnThePast()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("a0");
        var clip = TestModels.Clip(6, 48);
        var changed = clip.clone();
        changed.narrow(2, 4, 2).mul_(-1).add_(1);
        using var mode = inference_mode();
        var a = model.Logits(clip);
        var b = model.Logits(changed);
        Assert.True(TestModels.MaxAbsDiff(a.narrow(1, 0, 4), b.narrow(1, 0, 4)) <= 1e-6);   // identical up to threaded summation order
        Assert.True(TestModels.MaxAbsDiff(a.narrow(1, 4, 2), b.narrow(1, 4, 2)) > 1e-4);
    }

    [Fact]
    public void BaseModelSeesTheWholeClip()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(MoViNet.Create("t0", MoViNetVariant.Base, 10));
        var clip = TestModels.Clip(4, 40, batch: 2);
        using var mode = inference_mode();
        var logits = model.forward(clip);
        Assert.Equal(new long[] { 2, 10 }, logits.shape);
        var changed = clip.clone();
        changed.narrow(2, 3, 1).mul_(-1).add_(1);
        Assert.True(TestModels.MaxAbsDiff(model.forward(changed), logits) > 1e-4);
        var error = Assert.Throws<NotSupportedException>(() => model.Logits(clip, new StreamState(2)));
        Assert.Contains("t0-base cannot stream", error.Message);
        Assert.Contains("averages over the whole clip", error.Message);
    }
}
