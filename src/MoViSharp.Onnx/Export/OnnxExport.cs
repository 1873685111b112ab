using Google.Protobuf;
using MoViSharp.IO;
using MoViSharp.Onnx.Graph;

namespace MoViSharp.Onnx.Export;

/// <summary>An exported graph with what it says about itself; <see cref="Save"/> writes the .onnx file atomically.</summary>
public sealed class OnnxExport(OnnxGraph graph, OnnxModelInfo info, string description)
{
    public OnnxGraph Graph { get; } = graph;
    public OnnxModelInfo Info { get; internal set; } = info;
    public string Description { get; } = description;

    internal OnnxProto.ModelProto ToModel()
    {
        Graph.RemoveUnused();
        var opsets = Graph.Nodes.Any(n => n.Domain == "com.microsoft") ? new[] { ("com.microsoft", 1) } : [];
        var model = Graph.ToModel($"movisharp_{Info.ModelId}_{OnnxModelInfo.FormName(Info.Form)}", OnnxExportOptions.Opset, Info.ToMetadata(), Description, opsets);
        OnnxGraphSeal.Seal(model);
        return model;
    }

    /// <summary>The serialized ONNX model.</summary>
    public byte[] ToBytes() => ToModel().ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> (readers see the old file or the complete new one).</summary>
    public void Save(string path)
    {
        var model = ToModel();
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }
}
