using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Runtime;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// ONNX files under fuzzing: <see cref="OnnxClassifier.Load(byte[], string, OnnxRuntimeOptions?, bool)"/> (ONNX Runtime's
/// parser and checks, then MoViSharp's metadata and graph checks) and one step of what it opened, from damaged copies of a tiny
/// stream model exported in both stream forms in-process (once per run).
/// </summary>
internal static class OnnxFuzzTarget
{
    private static readonly OnnxRuntimeOptions Options = new() { AllowCuda = false, IntraOpThreads = 1 };

    /// <summary>The seeds: the same tiny model exported in the plain and the ring stream form (deterministic weights).</summary>
    public static readonly Lazy<byte[]> PlainSeed = new(() => Export(OnnxExportForm.StreamPlain)), RingSeed = new(() => Export(OnnxExportForm.StreamRing));

    public static readonly Lazy<FuzzTarget> Value = new(() =>
    {
        var mutator = new OnnxMutator();
        return new FuzzTarget("onnx", "fuzz.onnx",
            [(PlainSeed.Value, mutator), (RingSeed.Value, mutator)],
            OpenAndStep,
            ReaderContract.IsReaderError,
            bytes => (OnnxSavedInput.PatchExtension, TflitePatch.Encode(PlainSeed.Value, bytes)));
    });


    private static byte[] Export(OnnxExportForm form)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Stream("t0", classes: 4);
        return OnnxExporter.Export(model, new OnnxExportOptions { Form = form, Height = 32, Width = 32, Labels = ["a", "b", "c", "d"] }).ToBytes();
    }

    public static void OpenAndStep(byte[] bytes)
    {
        using var onnx = OnnxClassifier.Load(bytes, "fuzz.onnx", Options);
        var info = onnx.Info!;
        using var scope = NewDisposeScope();
        if (onnx.NotStreamableReason is null)
        {
            using var state = onnx.InitialState(1, info.Height, info.Width);
            onnx.Step(zeros(1, 3, info.Height, info.Width), state);
        }
        else onnx.ClipLogits(zeros([1, 3, info.Frames, info.Height, info.Width]));
    }
}
