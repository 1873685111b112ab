using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Inference;

/// <summary>The compiled form of every registered model gives the plain model's logits (frame by frame where it streams, on clips otherwise).</summary>
public class EveryRegisteredModelTests
{
    /// <summary>One name per distinct registered configuration (aliases such as "a0" for "a0-base" are skipped).</summary>
    public static TheoryData<string> RegisteredModels()
    {
        var data = new TheoryData<string>();
        foreach (var name in ModelRegistry.Models.GroupBy(m => m.Config).Select(g => g.OrderByDescending(m => m.Name.Length).First().Name).Order())
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(RegisteredModels))]
    public void CompiledEqualsPlain(string name)
    {
        using var scope = NewDisposeScope();
        var (model, frames, size) = SmallModel(name);
        if (model.Streamable)
        {
            // The SIMD kernels wherever they apply (no per-layer timing: fast); the libtorch paths are covered by CompiledModelTests.
            CompiledModelTests.AssertCompiledMatchesPlain(model, frames, size, only: CompileOptions.SimdOnly);
            return;
        }
        var clip = TestModels.Clip(frames, size, seed: 12);
        using var compiled = ModelCompiler.Compile(model);
        using var mode = inference_mode();
        var plain = new Classification.ModelClassifier(model).ClipLogits(clip);
        var fast = compiled.ClipLogits(clip);
        double scale = plain.abs().max().item<float>();
        Assert.True(scale > 1e-3, $"{name}: logits must not be trivially zero");
        Assert.True(TestModels.MaxAbsDiff(plain, fast) <= 1e-4 + 1e-4 * scale, $"{name}: compiled differs by {TestModels.MaxAbsDiff(plain, fast)}");
    }

    /// <summary>Knobs no registered MoViNet combines this way, so the compiler's rules meet them only here.</summary>
    public static TheoryData<string> Variants() => ["swish backbone", "sigmoid gate", "2-D SE", "3d_2plus1d", "causal 3d", "mobile"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void CompiledEqualsPlainForMoViNetVariants(string variant)
    {
        Func<MoViNetConfig, MoViNetConfig> change = variant switch
        {
            "swish backbone" => c => c with { Activation = ActivationKind.Swish },
            "sigmoid gate" => c => c with { Gate = GateKind.Sigmoid },
            "2-D SE" => c => c with { SeType = SqueezeExcitationType.TwoD },
            "3d_2plus1d" => c => c with { ConvType = ConvType.ThreeDTwoPlusOneD },
            "causal 3d" => c => c with { ConvType = ConvType.ThreeD },
            "mobile" => _ => MoViNetSpecs.Mobile("t0") with { NumClasses = 5 },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        var model = TestModels.Stream("t0", classes: 5, customize: change, seed: 13);
        CompiledModelTests.AssertCompiledMatchesPlain(model, 4, 40, only: CompileOptions.SimdOnly);
    }

    /// <summary>
    /// The model at a small input: as registered when it takes 4 frames of 48²; else rebuilt for 8 frames of 64² where its config
    /// can resize its fixed pools (<see cref="ModelConfig.ForTraining"/>); else at its native clip (positional tables).
    /// </summary>
    internal static (VideoModel Model, int Frames, int Size) SmallModel(string name)
    {
        var model = TestModels.Randomize(ModelRegistry.Create(name, numClasses: 5), seed: 11);
        var (frames, size) = SmallestInputThatRuns(model);
        if ((frames, size) == (4, 48) || frames * size * size <= 8 * 64 * 64) return (model, frames, size);
        try
        {
            var small = TestModels.Randomize(ModelRegistry.Build(model.Config.ForTraining(8, 64)), seed: 11);
            using (NewDisposeScope())
            using (inference_mode())
                small.Logits(zeros([1, 3, 8, 64, 64]));
            model.Dispose();
            return (small, 8, 64);
        }
        catch (Exception e) when (e is ArgumentException or System.Runtime.InteropServices.ExternalException or InvalidOperationException or NotSupportedException)
        {
            return (model, frames, size);
        }
    }

    /// <summary>4 frames of 48² when the architecture takes them, else its native clip (fixed pooling kernels, positional tables).</summary>
    private static (int Frames, int Size) SmallestInputThatRuns(VideoModel model)
    {
        try
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            model.Logits(zeros([1, 3, 4, 48, 48]));
            return (4, 48);
        }
        catch (Exception e) when (e is ArgumentException or System.Runtime.InteropServices.ExternalException or InvalidOperationException)
        {
            return (model.Config.Preprocessing.Frames, model.Config.Preprocessing.Size);
        }
    }
}
