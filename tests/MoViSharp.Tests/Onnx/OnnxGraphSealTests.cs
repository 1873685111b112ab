using Google.Protobuf;
using MoViSharp.Onnx.Graph;
using MoViSharp.Onnx.Runtime;
using MoViSharp.Tests.Weights.Fuzzing;
using MoViSharp.Weights;

namespace MoViSharp.Tests.Onnx;

/// <summary>A file runs only with the graph MoViSharp exported: any change to graph, weights or opsets is refused before ONNX Runtime parses it.</summary>
public class OnnxGraphSealTests
{
    private static readonly OnnxRuntimeOptions Cpu = new() { AllowCuda = false, IntraOpThreads = 1 };

    private static global::Onnx.ModelProto Seed() => global::Onnx.ModelProto.Parser.ParseFrom(OnnxFuzzTarget.PlainSeed.Value);

    private static CheckpointFormatException Refused(global::Onnx.ModelProto model) =>
        Assert.Throws<CheckpointFormatException>(() => OnnxClassifier.Load(model.ToByteArray(), "edited.onnx", Cpu));

    [Fact]
    public void An_exported_model_carries_one_seal_and_loads()
    {
        var model = Seed();
        var seal = Assert.Single(model.MetadataProps, p => p.Key == OnnxGraphSeal.Key);
        Assert.Matches("^[0-9a-f]{64}$", seal.Value);
        using var onnx = OnnxClassifier.Load(OnnxFuzzTarget.PlainSeed.Value, "seed.onnx", Cpu);
        Assert.NotNull(onnx.Info);
    }

    [Fact]
    public void One_changed_weight_value_is_refused()
    {
        var model = Seed();
        var weight = model.Graph.Initializer.First(t => t.RawData.Length >= 4);
        byte[] raw = weight.RawData.ToByteArray();
        raw[0] ^= 1;
        weight.RawData = ByteString.CopyFrom(raw);
        var e = Refused(model);
        Assert.Equal("edited.onnx", e.FileName);
        Assert.Contains("the graph was changed after export", e.Message);
        Assert.Equal($"metadata/{OnnxGraphSeal.Key}", e.Field);
    }

    [Fact]
    public void A_changed_attribute_or_opset_is_refused()
    {
        var model = Seed();
        model.Graph.Node.First(n => n.OpType == "Conv").Attribute.Add(new global::Onnx.AttributeProto
            { Name = "group", Type = global::Onnx.AttributeProto.Types.AttributeType.Int, I = 7 });
        Assert.Contains("changed after export", Refused(model).Message);
        var other = Seed();
        other.OpsetImport[0].Version = 1;
        Assert.Contains("changed after export", Refused(other).Message);
    }

    [Fact]
    public void A_file_without_the_seal_or_with_two_is_refused()
    {
        var model = Seed();
        var seal = model.MetadataProps.Single(p => p.Key == OnnxGraphSeal.Key);
        model.MetadataProps.Remove(seal);
        Assert.Contains("MoViSharp runs only ONNX graphs it exported", Refused(model).Message);
        model.MetadataProps.Add(seal);
        model.MetadataProps.Add(seal.Clone());
        Assert.Contains("present 2 times", Refused(model).Message);
    }

    [Fact]
    public void Metadata_edits_keep_the_seal_and_meet_the_metadata_checks()
    {
        byte[] edited = OnnxSavedInput.WithMetadata(OnnxFuzzTarget.PlainSeed.Value, new Dictionary<string, string?> { ["classes"] = "0", ["labels"] = null });
        var e = Assert.Throws<CheckpointFormatException>(() => OnnxClassifier.Load(edited, "edited.onnx", Cpu));
        Assert.Contains("classes must be 1…", e.Message);
    }

    [Fact]
    public void Bytes_that_are_not_a_model_are_refused_by_name()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => OnnxClassifier.Load([0x0a, 0xff, 0xff], "junk.onnx", Cpu));
        Assert.Equal("junk.onnx", e.FileName);
        Assert.Contains("not a readable ONNX model", e.Message);
    }
}
