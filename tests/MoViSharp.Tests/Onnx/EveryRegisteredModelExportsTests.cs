using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using Xunit.Abstractions;
using MoViSharp.Tests.Inference;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Onnx;

/// <summary>Every registered model exports, and ONNX Runtime gives TorchSharp's logits: frame by frame (ring form) where it streams, on clips otherwise.</summary>
public class EveryRegisteredModelExportsTests(ITestOutputHelper output)
{
    public static TheoryData<string> RegisteredModels() => EveryRegisteredModelTests.RegisteredModels();

    [Theory]
    [MemberData(nameof(RegisteredModels))]
    public void OnnxRuntimeGivesTorchSharpsLogits(string name)
    {
        var model = TestModels.Randomize(ModelRegistry.Create(name, numClasses: 5), seed: 11);
        var (frames, size) = SmallestInputThatRuns(model);
        if (model.Streamable) frames = Math.Min(frames, 3);
        var (diff, scale) = model.Streamable
            ? OnnxAssert.StreamMatchesPlain(model, frames, size, OnnxExportForm.StreamRing)
            : OnnxAssert.ClipMatchesPlain(model, frames, size);
        output.WriteLine($"{name}: largest logit difference {diff:E2}, logits up to {scale:F3} ({(model.Streamable ? "ring stream" : "clip")}, {frames}×{size}²)");
    }

    /// <summary>4 frames of 48² when the architecture takes them, else its native clip.</summary>
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
