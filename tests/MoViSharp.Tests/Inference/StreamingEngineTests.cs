using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Inference;

public class StreamingEngineTests
{
    private const double Tolerance = 1e-4;

    /// <summary>Runs <paramref name="frames"/> frames through the plain model (ForwardStep) and the engine; asserts equal logits.</summary>
    private static void AssertEngineMatchesForwardStep(MoViNet model, int frames, int size, int batch = 1)
    {
        using var scope = NewDisposeScope();
        var clip = TestModels.Clip(frames, size, batch);
        using var state = model.InitialState(batch, size, size);
        // Every execution: hand-written SIMD depthwise kernels, libtorch ops only, and the per-layer measured choice.
        using var simd = StreamingEngine.Create(model, size, size, batch, StreamingEngineOptions.SimdOnly);
        using var torchOnly = StreamingEngine.Create(model, size, size, batch, StreamingEngineOptions.TorchOnly);
        using var measured = StreamingEngine.Create(model, size, size, batch);
        for (int t = 0; t < frames; t++)
        {
            using var mode = inference_mode();
            var frame = clip.select(2, t);
            var plain = model.ForwardStep(frame, state);
            Assert.True(plain.abs().max().item<float>() > 1e-2, "logits must not be trivially zero");
            foreach (var (engine, name) in new[] { (simd, "simd"), (torchOnly, "torch-only"), (measured, "measured choice") })
            {
                using var fast = engine.Step(frame);
                Assert.Equal(plain.shape, fast.shape);
                double diff = TestModels.MaxAbsDiff(plain, fast);
                Assert.True(diff <= Tolerance, $"frame {t}: {name} engine differs from ForwardStep by {diff}");
            }
        }
        Assert.All(simd.FrameCounts(), c => Assert.Equal(frames, c));
    }

    [Fact]
    public void A0StreamEngineGivesTheLogitsOfForwardStep() => AssertEngineMatchesForwardStep(TestModels.Stream("a0"), 7, 48);

    [Fact]
    public void A3StreamWithPositionalEncodingEngineGivesTheLogitsOfForwardStep()
    {
        var model = TestModels.Stream("a3");
        Assert.True(model.Config.PositionalEncoding);
        AssertEngineMatchesForwardStep(model, 6, 40);
    }

    [Fact]
    public void Relu6WithoutSqueezeExcitationEngineGivesTheLogitsOfForwardStep() =>
        AssertEngineMatchesForwardStep(TestModels.Stream("a0", customize: c => c with
        {
            SeType = SqueezeExcitationType.None, Activation = ActivationKind.Relu6, ClassifierActivation = ActivationKind.Relu6,
        }), 6, 48);

    [Fact]
    public void BatchedStreamsAndOddSizesMatchToo() =>
        AssertEngineMatchesForwardStep(TestModels.Stream("a1", seed: 3), 5, 37, batch: 3);

    [Fact]
    public void TwoLibtorchThreadsAndLargeFramesMatch()
    {
        int threads = get_num_threads();
        try
        {
            set_num_threads(2);
            AssertEngineMatchesForwardStep(TestModels.Stream("t0", seed: 4), 3, 96, batch: 2);
        }
        finally { set_num_threads(threads); }
    }

    [Fact]
    public void StateHandsOverFromModelToEngineAndBack()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("a0");
        const int size = 48, frames = 9;
        var clip = TestModels.Clip(frames, size);
        using var mode = inference_mode();
        var reference = model.Forward(clip, null);                                   // [1, T, K]

        // Frames 0–2 on the model, 3–5 on an engine continuing its state, 6–8 on the model continuing the engine's state.
        using var state = model.InitialState(1, size, size);
        for (int t = 0; t < 3; t++) model.ForwardStep(clip.select(2, t), state);
        using var engine = StreamingEngine.FromState(model, size, size, state);
        for (int t = 3; t < 6; t++)
        {
            using var logits = engine.Step(clip.select(2, t));
            Assert.True(TestModels.MaxAbsDiff(logits, reference.select(1, t)) <= Tolerance, $"engine frame {t}");
        }
        using var back = engine.ToStreamState();
        Assert.Equal(state.Names, back.Names);
        for (int t = 6; t < frames; t++)
            Assert.True(TestModels.MaxAbsDiff(model.ForwardStep(clip.select(2, t), back), reference.select(1, t)) <= Tolerance, $"model frame {t}");
        Assert.Equal(frames, back[MoViSharp.Streaming.StateNames.PoolFrameCount(MoViSharp.Streaming.StateNames.HeadPrefix)].item<int>());
    }

    [Fact]
    public void ResetStartsANewStream()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0");
        var clip = TestModels.Clip(3, 40);
        using var engine = StreamingEngine.Create(model, 40, 40);
        using var first = engine.Step(clip.select(2, 0));
        engine.Step(clip.select(2, 1)).Dispose();
        engine.Reset();
        using var again = engine.Step(clip.select(2, 0));
        Assert.True(TestModels.MaxAbsDiff(first, again) == 0);
    }

    [Fact]
    public void BaseModelsAreRejected()
    {
        using var model = ModelRegistry.Create("a0", MoViNetVariant.Base, 10);
        Assert.Throws<NotSupportedException>(() => StreamingEngine.Create(model, 48, 48));
    }
}
