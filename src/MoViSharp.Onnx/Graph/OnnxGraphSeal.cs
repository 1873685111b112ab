using System.Security.Cryptography;
using Google.Protobuf;
using MoViSharp.Weights;

namespace MoViSharp.Onnx.Graph;

/// <summary>
/// The digest MoViSharp writes into every exported model and checks before ONNX Runtime sees a file: SHA-256 over the model
/// without its metadata (graph, weights, opsets, IR version), stored as the metadata entry <see cref="Key"/>.
/// Why: ONNX Runtime does not validate every graph before running it. Fuzzing found a changed graph that crashed the process
/// (a segmentation fault inside libonnxruntime.so), which no exception handler can turn into a clean error. So a file runs only
/// if its graph is exactly the one MoViSharp exported; the metadata, which MoViSharp itself checks, may still be edited.
/// This guards against damaged and edited files, not against an attacker who recomputes the digest: only run ONNX files you
/// trust (docs/onnx.md, "Which files run").
/// </summary>
public static class OnnxGraphSeal
{
    public const string Key = "movisharp_graph_sha256";

    /// <summary>Adds the digest of <paramref name="model"/> (replacing an earlier one).</summary>
    internal static void Seal(OnnxProto.ModelProto model)
    {
        RemoveSeal(model);
        model.MetadataProps.Add(new OnnxProto.StringStringEntryProto { Key = Key, Value = Digest(model) });
    }

    /// <summary>Throws <see cref="CheckpointFormatException"/> naming <paramref name="source"/> unless the bytes are an ONNX model whose digest matches.</summary>
    public static void Verify(byte[] bytes, string source)
    {
        OnnxProto.ModelProto model;
        try { model = OnnxProto.ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e)
        {
            throw new CheckpointFormatException(source, "model", $"not a readable ONNX model ({e.Message})", e);
        }
        var seals = model.MetadataProps.Where(p => p.Key == Key).ToList();
        if (seals.Count == 0)
            throw new CheckpointFormatException(source, $"metadata/{Key}",
                "missing: MoViSharp runs only ONNX graphs it exported (export the model again with `movisharp export --onnx`)");
        if (seals.Count > 1) throw new CheckpointFormatException(source, $"metadata/{Key}", $"present {seals.Count} times");
        string expected = seals[0].Value;
        string actual = Digest(model);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
            throw new CheckpointFormatException(source, $"metadata/{Key}",
                "the graph was changed after export (its digest does not match); MoViSharp refuses changed graphs because ONNX Runtime " +
                "does not validate every graph and a damaged one can crash the process");
    }

    /// <summary>SHA-256 (lower-case hex) of the model serialized without its metadata entries.</summary>
    private static string Digest(OnnxProto.ModelProto model)
    {
        var copy = model.Clone();
        copy.MetadataProps.Clear();
        return Convert.ToHexString(SHA256.HashData(copy.ToByteArray())).ToLowerInvariant();
    }

    private static void RemoveSeal(OnnxProto.ModelProto model)
    {
        for (int i = model.MetadataProps.Count - 1; i >= 0; i--)
            if (model.MetadataProps[i].Key == Key) model.MetadataProps.RemoveAt(i);
    }
}
