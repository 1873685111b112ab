using MoViSharp.Classification;
using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Inference;

public class CompiledModelTests
{
    private const double Tolerance = 1e-4;

    /// <summary>Runs <paramref name="frames"/> frames through the plain model and compiled forms; asserts equal logits.</summary>
    internal static void AssertCompiledMatchesPlain(VideoModel model, int frames, int size, int batch = 1, bool allCompileOptions = true,
        CompileOptions? only = null)
    {
        using var scope = NewDisposeScope();
        var clip = TestModels.Clip(frames, size, batch);
        using var plain = new ModelClassifier(model);
        using var plainState = plain.InitialState(batch, size, size);
        // Every execution: hand-written SIMD depthwise kernels, libtorch ops only, and the per-layer measured choice.
        var options = only is not null ? [(only, "given options")]
            : allCompileOptions
            ? new[] { (CompileOptions.SimdOnly, "simd"), (CompileOptions.TorchOnly, "torch-only"), (CompileOptions.Default, "measured choice") }
            : [(CompileOptions.Default, "measured choice")];
        var compiled = options.Select(o => (Model: ModelCompiler.Compile(model, options: o.Item1), Name: o.Item2)).ToList();
        var states = compiled.Select(c => c.Model.InitialState(batch, size, size)).ToList();
        try
        {
            for (int t = 0; t < frames; t++)
            {
                var frame = clip.select(2, t);
                var reference = plain.Step(frame, plainState)!;
                Assert.True(reference.abs().max().item<float>() > 1e-2, "logits must not be trivially zero");
                for (int i = 0; i < compiled.Count; i++)
                {
                    using var fast = compiled[i].Model.Step(frame, states[i])!;
                    Assert.Equal(reference.shape, fast.shape);
                    double diff = TestModels.MaxAbsDiff(reference, fast);
                    Assert.True(diff <= Tolerance, $"{model.Config.Id} frame {t}: {compiled[i].Name} differs from plain by {diff}");
                }
            }
            // The compiled state is the plain state, key for key.
            using var exported = compiled[0].Model.Export(states[0]);
            using var expected = plain.Export(plainState);
            Assert.Equal(expected.Names, exported.Names);
            foreach (var name in expected.Names)
                Assert.True(TestModels.MaxAbsDiff(expected[name].to_type(ScalarType.Float32), exported[name].to_type(ScalarType.Float32)) <= Tolerance, name);
        }
        finally
        {
            foreach (var s in states) s.Dispose();
            foreach (var c in compiled) c.Model.Dispose();
        }
    }

    [Fact]
    public void A0StreamCompiledGivesThePlainLogits() => AssertCompiledMatchesPlain(TestModels.Stream("a0"), 7, 48);

    [Fact]
    public void A3StreamWithPositionalEncodingCompiledGivesThePlainLogits()
    {
        var model = TestModels.Stream("a3");
        Assert.True(model.Spec.PositionalEncoding);
        AssertCompiledMatchesPlain(model, 6, 40);
    }

    [Fact]
    public void Relu6WithoutSqueezeExcitationCompiledGivesThePlainLogits() =>
        AssertCompiledMatchesPlain(TestModels.Stream("a0", customize: c => c with
        {
            SeType = SqueezeExcitationType.None, Activation = ActivationKind.Relu6, ClassifierActivation = ActivationKind.Relu6,
        }), 6, 48);

    [Fact]
    public void BatchedStreamsAndOddSizesMatchToo() =>
        AssertCompiledMatchesPlain(TestModels.Stream("a1", seed: 3), 5, 37, batch: 3);

    [Fact]
    public void TwoLibtorchThreadsAndLargeFramesMatch()
    {
        int threads = get_num_threads();
        try
        {
            set_num_threads(2);
            AssertCompiledMatchesPlain(TestModels.Stream("t0", seed: 4), 3, 96, batch: 2);
        }
        finally { set_num_threads(threads); }
    }

    [Fact]
    public void StateHandsOverFromPlainToCompiledAndBack()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("a0");
        const int size = 48, frames = 9;
        var clip = TestModels.Clip(frames, size);
        using var mode = inference_mode();
        var reference = model.Logits(clip);                                   // [1, T, K]

        // Frames 0–2 on the model, 3–5 compiled continuing its state, 6–8 on the model continuing the compiled state.
        using var state = model.InitialState(1, size, size);
        for (int t = 0; t < 3; t++) model.StepLogits(clip.select(2, t), state);
        using var compiled = ModelCompiler.Compile(model);
        using var fastState = compiled.Import(state, size, size);
        for (int t = 3; t < 6; t++)
        {
            using var logits = compiled.Step(clip.select(2, t), fastState)!;
            Assert.True(TestModels.MaxAbsDiff(logits, reference.select(1, t)) <= Tolerance, $"compiled frame {t}");
        }
        using var back = compiled.Export(fastState);
        Assert.Equal(state.Names, back.Names);
        for (int t = 6; t < frames; t++)
            Assert.True(TestModels.MaxAbsDiff(model.StepLogits(clip.select(2, t), back), reference.select(1, t)) <= Tolerance, $"model frame {t}");
        using var official = MoViNetStateNames.ToOfficial(model, back);
        Assert.Equal(frames, official[MoViNetStateNames.PoolFrameCount(MoViNetStateNames.HeadPrefix)].item<int>());
    }

    [Fact]
    public void AFreshStateStartsANewStream()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0");
        var clip = TestModels.Clip(3, 40);
        using var compiled = ModelCompiler.Compile(model);
        using var state = compiled.InitialState(1, 40, 40);
        using var first = compiled.Step(clip.select(2, 0), state)!;
        compiled.Step(clip.select(2, 1), state)!.Dispose();
        using var again = compiled.InitialState(1, 40, 40);
        using var restarted = compiled.Step(clip.select(2, 0), again)!;
        Assert.True(TestModels.MaxAbsDiff(first, restarted) == 0);
    }

    [Fact]
    public void BaseModelsDoNotStreamButTheirClipsCompile()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(MoViNet.Create("t0", MoViNetVariant.Base, 10));
        using var compiled = ModelCompiler.Compile(model);
        var error = Assert.Throws<NotSupportedException>(() => compiled.InitialState(1, 48, 48));
        Assert.Contains("t0-base cannot stream", error.Message);
        var clip = TestModels.Clip(4, 48, batch: 2);
        using var mode = inference_mode();
        Assert.True(TestModels.MaxAbsDiff(model.Logits(clip), compiled.ClipLogits(clip)) <= Tolerance);
    }

    [Fact]
    public void TheA0StreamGraphFusesEveryLayerAndFallsBackNowhere()
    {
        using var compiled = ModelCompiler.Compile(TestModels.Stream("a0"));
        var described = compiled.Describe(48, 48);
        Assert.DoesNotContain(described, d => d.StartsWith("Plain", StringComparison.Ordinal));
        Assert.Equal(15, described.Count(d => d.StartsWith("Residual", StringComparison.Ordinal)));
        Assert.Equal(15, described.Count(d => d.StartsWith("FusedSqueezeExcitation", StringComparison.Ordinal)));
    }

    [Fact]
    public void UnknownModulesRunInTheirPlainFormWithTheSameNumbers()
    {
        // Causal 3-D depthwise kernels (k_t×k×k) have no fused rule: they fall back to the module's own Step.
        var model = TestModels.Stream("t0", customize: c => c with { ConvType = ConvType.ThreeD }, seed: 6);
        using (var compiled = ModelCompiler.Compile(model))
            Assert.Contains(compiled.Describe(40, 40), d => d.StartsWith("Plain ConvUnit", StringComparison.Ordinal));
        AssertCompiledMatchesPlain(model, 5, 40, allCompileOptions: false);
    }
}
