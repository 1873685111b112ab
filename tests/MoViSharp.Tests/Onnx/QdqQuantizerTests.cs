using MoViSharp.Classification;
using MoViSharp.Families.MoViNets;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Quantization;
using MoViSharp.Onnx.Runtime;
using static TorchSharp.torch;
using OnnxProto = global::Onnx;

namespace MoViSharp.Tests.Onnx;

/// <summary>Static int8 QDQ quantization: what the graph becomes, and that it still computes the float model's answer.</summary>
public class QdqQuantizerTests
{
    private static MoViNet Mobile() => TestModels.Stream("a0", classes: 8, customize: _ => MoViNetSpecs.Mobile("a0") with { NumClasses = 8 }, seed: 4);

    [Fact]
    public void ConvolutionsGetInt8WeightsPerChannelAndReLU6BecomesTheirRange()
    {
        using var model = Mobile();
        var export = QdqQuantizer.Quantize(model, CalibrationClips.Synthetic(2, 48, 6), new OnnxExportOptions { Height = 48, Width = 48 });
        var proto = OnnxProto.ModelProto.Parser.ParseFrom(export.ToBytes());
        var ops = proto.Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        int convs = ops["Conv"];
        Assert.False(ops.ContainsKey("Clip"), "every ReLU6 after a conv is folded into its output range");
        var int8Weights = proto.Graph.Initializer.Where(i => i.DataType == (int)OnnxProto.TensorProto.Types.DataType.Int8 && i.Dims.Count == 4).ToList();
        Assert.Equal(convs, int8Weights.Count);
        var scales = proto.Graph.Initializer.Where(i => i.Name.EndsWith(".weight_scale")).ToList();
        Assert.Equal(convs, scales.Count);
        Assert.All(scales.Zip(int8Weights), p => Assert.Equal(p.Second.Dims[0], p.First.Dims[0]));       // one scale per output channel
        Assert.True(ops["QuantizeLinear"] >= convs);
        Assert.Equal("qdq-int8", proto.MetadataProps.Single(p => p.Key == "quantization").Value);
    }

    [Fact]
    public void TheInt8GraphStreamsCloseToTheFloatModel()
    {
        using var scope = NewDisposeScope();
        using var model = Mobile();
        var export = QdqQuantizer.Quantize(model, CalibrationClips.Synthetic(3, 48, 8), new OnnxExportOptions { Height = 48, Width = 48 });
        using var int8 = OnnxClassifier.FromExport(export);
        using var plain = new ModelClassifier(model);
        var clip = CalibrationClips.Synthetic(1, 48, 8, seed: 99).Single();
        using var a = plain.InitialState(1, 48, 48);
        using var b = int8.InitialState(1, 48, 48);
        double worst = 0;
        for (int t = 0; t < 8; t++)
        {
            var frame = clip.select(2, t);
            var reference = plain.Step(frame, a)!;
            var quantized = int8.Step(frame, b)!;
            double spread = (reference.max() - reference.min()).item<float>();
            worst = Math.Max(worst, TestModels.MaxAbsDiff(reference, quantized) / spread);
        }
        // Quantized, not equal: within a tenth of the logits' spread on a clip it was not calibrated on.
        Assert.True(worst < 0.1, $"int8 logits differ from float by {worst:P1} of their spread");
        Assert.True(worst > 0, "the graph must actually be quantized");
    }
}
