using MoViSharp.Families.MoViNets;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Runtime;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using OnnxProto = global::Onnx;

namespace MoViSharp.Tests.Onnx;

/// <summary>What the exported files contain: names, opset, metadata, fused forms; and the errors for what cannot be exported.</summary>
public class OnnxExportStructureTests
{
    private static readonly OnnxProto.ModelProto A0Plain = Parse(OnnxExporter.Export(TestModels.Stream("a0"),
        new OnnxExportOptions { Form = OnnxExportForm.StreamPlain, Height = 64, Width = 64 }));

    private static OnnxProto.ModelProto Parse(OnnxExport export) => OnnxProto.ModelProto.Parser.ParseFrom(export.ToBytes());

    [Fact]
    public void MoViNetStreamStatesCarryTheOfficialTensorFlowNamesAndLayouts()
    {
        var inputs = A0Plain.Graph.Input.ToDictionary(i => i.Name);
        Assert.Equal(44, inputs.Count);                                                    // frame + 43 states, as the TFLite signature
        Assert.Contains("frame", inputs.Keys);
        var buffer = inputs["state_block4_layer0_stream_buffer"].Type.TensorType.Shape.Dim;
        Assert.Equal("batch", buffer[0].DimParam);
        Assert.Equal(new long[] { 4, 2, 2, 384 }, buffer.Skip(1).Select(d => d.DimValue));     // [B, k−1, H, W, C] at 64²
        var pool = inputs["state_head_pool_buffer"].Type.TensorType.Shape.Dim;
        Assert.Equal(new long[] { 1, 1, 1, 480 }, pool.Skip(1).Select(d => d.DimValue));
        Assert.Equal((int)OnnxProto.TensorProto.Types.DataType.Int32, inputs["state_head_pool_frame_count"].Type.TensorType.ElemType);
        var outputs = A0Plain.Graph.Output.Select(o => o.Name).ToHashSet();
        Assert.Contains("logits", outputs);
        Assert.Contains("state_block4_layer0_stream_buffer_next", outputs);
        Assert.Equal(44, outputs.Count);
    }

    [Fact]
    public void TheGraphIsOpset17WithPaddingInsideConvsAndOneNodePerGateAndHardSwish()
    {
        Assert.Equal(17, A0Plain.OpsetImport.Single(o => o.Domain == "").Version);
        var ops = A0Plain.Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.False(ops.ContainsKey("Pad"), "padding belongs in the Conv nodes");
        Assert.False(ops.ContainsKey("Shape"), "reshapes take constant shapes");
        Assert.Equal(15, ops["HardSigmoid"]);                                             // one SE gate per block
        Assert.True(ops["HardSwish"] > 30);
        var stem = A0Plain.Graph.Node.First(n => n.OpType == "Conv");
        Assert.Equal(new long[] { 0, 0, 1, 1 }, stem.Attribute.Single(a => a.Name == "pads").Ints);   // TF-same, stride 2, even size
    }

    [Fact]
    public void MetadataDescribesTheModel()
    {
        var meta = A0Plain.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("movinet", meta["family"]);
        Assert.Equal("a0-stream", meta["model"]);
        Assert.Equal("stream-plain", meta["form"]);
        Assert.Contains("\"family\":\"movinet\"", meta["config"]);
        Assert.Contains("\"size\":172", meta["preprocessing"]);
        Assert.Contains("state_block1_layer0_stream_buffer", meta["states"]);
    }

    [Fact]
    public void AFileLoadsAloneAndItsStateMovesToTheTorchModelAndBack()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0", classes: 6);
        string path = Path.Combine(Directory.CreateTempSubdirectory("onnx").FullName, "t0.onnx");
        OnnxExporter.Export(model, new OnnxExportOptions { Form = OnnxExportForm.StreamPlain, Height = 40, Width = 40, Labels = ["a", "b", "c", "d", "e", "f"] }).Save(path);
        using var onnx = OnnxClassifier.Load(path);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], onnx.Labels);
        Assert.Equal(6, onnx.NumClasses);
        var clip = TestModels.Clip(6, 40);
        using var mode = inference_mode();
        var reference = model.Logits(clip);                                               // [1, 6, K]
        // Three frames in ONNX Runtime, the state handed to the plain model for two, and back to ONNX Runtime for the last.
        using var onnxState = onnx.InitialState(1, 40, 40);
        for (int t = 0; t < 3; t++) onnx.Step(clip.select(2, t), onnxState);
        using var plainState = onnx.Export(onnxState);
        for (int t = 3; t < 5; t++) model.StepLogits(clip.select(2, t), plainState);
        using var back = onnx.Import(plainState, 40, 40);
        var last = onnx.Step(clip.select(2, 5), back)!;
        Assert.True(TestModels.MaxAbsDiff(reference.select(1, 5), last) <= OnnxAssert.Tolerance);
        Assert.Throws<ArgumentException>(() => onnx.InitialState(1, 48, 48));              // the file holds one frame size
    }

    [Fact]
    public void AModuleNoRuleKnowsIsAnErrorNamingItsPathAndType()
    {
        using var model = new ModelWithACustomLayer();
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(model, new OnnxExportOptions { Form = OnnxExportForm.StreamRing }));
        Assert.Contains("'blocks.mystery'", error.Message);
        Assert.Contains(typeof(Mystery).FullName!, error.Message);
        Assert.Contains("no export rule", error.Message);
    }

    [Fact]
    public void AFamilyExportsItsOwnModuleWithItsOwnRule()
    {
        using var model = TestModels.Randomize(new ModelWithACustomLayer(), 2);
        var options = new OnnxRuntimeOptions { Export = new OnnxExportOptions { Rules = [new MysteryRule()] } };
        using var onnx = OnnxClassifier.FromModel(model, options: options);
        using var state = onnx.InitialState(1, 16, 16);
        using var scope = NewDisposeScope();
        var frame = rand(1, 3, 16, 16);
        using var mode = inference_mode();
        var expected = model.Logits(frame.unsqueeze(2)).select(1, 0);
        Assert.True(TestModels.MaxAbsDiff(expected, onnx.Step(frame, state)!) <= OnnxAssert.Tolerance);
    }

    [Fact]
    public void AClipModelHasNoStreamForm()
    {
        using var model = ModelRegistry.Create("t0-base");
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(model, new OnnxExportOptions { Form = OnnxExportForm.StreamPlain }));
        Assert.Contains("cannot stream", error.Message);
    }

    /// <summary>A family-specific layer: doubles its input.</summary>
    private sealed class Mystery() : StreamModule(nameof(Mystery))
    {
        public override Tensor Forward(Tensor input, StreamState? state) => input.mul(2);
        public override VideoShape Trace(VideoShape input, ModelTrace trace) => input;
    }

    private sealed class MysteryRule : IOnnxExportRule
    {
        public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context) => module is Mystery
            ? input with { Value = context.Graph.Node("Mul", [input.Value, context.Graph.Scalar(2f, "two")], OnnxExportContext.Hint(module)) }
            : null;
    }

    private sealed record MysteryConfig : ModelConfig
    {
        public override string Family => "mystery";
        public override Preprocessing Preprocessing => new() { Frames = 4, Size = 16 };
    }

    private sealed class ModelWithACustomLayer() : VideoModel("Mystery", [
        ("blocks", new Sequential("Blocks", [
            ("stem", new ConvUnit(3, 4, (1, 3, 3), 2, activation: ActivationKind.Relu)),
            ("mystery", new Mystery()),
        ])),
        ("pool", new CumulativeAveragePool()),
        ("head", new ConvUnit(4, 3, (1, 1, 1), useBias: true, batchNorm: false)),
    ])
    {
        public override ModelConfig Config { get; } = new MysteryConfig { Name = "mystery", NumClasses = 3 };
    }
}
