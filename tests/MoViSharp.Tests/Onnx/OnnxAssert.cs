using MoViSharp.Classification;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Runtime;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Onnx;

/// <summary>Checks exported graphs in ONNX Runtime against the plain TorchSharp model.</summary>
internal static class OnnxAssert
{
    public const double Tolerance = 1e-4;

    /// <summary>
    /// Streams <paramref name="frames"/> frames through the plain model and through ONNX Runtime in <paramref name="form"/>; the logits
    /// of every frame agree, and the exported state equals the plain state key for key (so a stream moves between the backends).
    /// Returns the largest logit difference and the largest logit.
    /// </summary>
    public static (double Difference, double Scale) StreamMatchesPlain(VideoModel model, int frames, int size, OnnxExportForm form, int batch = 1)
    {
        using var scope = NewDisposeScope();
        var clip = TestModels.Clip(frames, size, batch);
        using var plain = new ModelClassifier(model);
        using var onnx = OnnxClassifier.FromModel(model, options: new OnnxRuntimeOptions { StreamForm = form });
        using var plainState = plain.InitialState(batch, size, size);
        using var onnxState = onnx.InitialState(batch, size, size);
        double largest = 0, scale = 0;
        for (int t = 0; t < frames; t++)
        {
            var frame = clip.select(2, t);
            var reference = plain.Step(frame, plainState)!;
            Assert.True(reference.abs().max().item<float>() > 1e-2, "logits must not be trivially zero");
            using var fromOnnx = onnx.Step(frame, onnxState)!;
            Assert.Equal(reference.shape, fromOnnx.shape);
            double diff = TestModels.MaxAbsDiff(reference, fromOnnx);
            Assert.True(diff <= Tolerance, $"{model.Config.Id} ({form}) frame {t}: ONNX Runtime differs from TorchSharp by {diff}");
            largest = Math.Max(largest, diff);
            scale = Math.Max(scale, reference.abs().max().item<float>());
        }
        using var exported = onnx.Export(onnxState);
        using var expected = plain.Export(plainState);
        Assert.Equal(expected.Names.Order(), exported.Names.Order());
        foreach (var name in expected.Names)
        {
            Assert.Equal(expected[name].shape, exported[name].shape);
            Assert.True(TestModels.MaxAbsDiff(expected[name].to_type(ScalarType.Float32), exported[name].to_type(ScalarType.Float32)) <= Tolerance, name);
        }
        return (largest, scale);
    }

    /// <summary>The clip graph gives the plain model's clip logits; returns the largest difference and the largest logit.</summary>
    public static (double Difference, double Scale) ClipMatchesPlain(VideoModel model, int frames, int size)
    {
        using var scope = NewDisposeScope();
        var clip = TestModels.Clip(frames, size, seed: 12);
        using var onnx = OnnxClassifier.FromModel(model);
        using var mode = inference_mode();
        var plain = new ModelClassifier(model).ClipLogits(clip);
        var fromOnnx = model.Streamable ? ClipGraphLogits(model, clip) : onnx.ClipLogits(clip);
        Assert.Equal(plain.shape, fromOnnx.shape);
        double scale = plain.abs().max().item<float>();
        Assert.True(scale > 1e-3, $"{model.Config.Id}: logits must not be trivially zero");
        double diff = TestModels.MaxAbsDiff(plain, fromOnnx);
        Assert.True(diff <= Tolerance * Math.Max(1, scale), $"{model.Config.Id} clip graph differs from TorchSharp by {diff} (logits up to {scale})");
        return (diff, scale);
    }

    /// <summary>A stream model's clip graph (the classifier steps stream models, so this loads the clip export itself).</summary>
    private static Tensor ClipGraphLogits(VideoModel model, Tensor clip)
    {
        var export = OnnxExporter.Export(model, new OnnxExportOptions { Form = OnnxExportForm.Clip, Frames = (int)clip.shape[2], Height = (int)clip.shape[3], Width = (int)clip.shape[4] });
        using var onnx = OnnxClassifier.FromExport(export);
        return onnx.ClipLogits(clip);
    }
}
