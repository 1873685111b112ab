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

    /// <summary>Adds the digest of <paramref name="model"/> (a freshly built model: it has no seal yet).</summary>
    internal static void Seal(OnnxProto.ModelProto model) =>
        model.MetadataProps.Add(new OnnxProto.StringStringEntryProto { Key = Key, Value = DigestWithoutMetadata(model) });

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
        string actual = DigestWithoutMetadata(model);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
            throw new CheckpointFormatException(source, $"metadata/{Key}",
                "the graph was changed after export (its digest does not match); MoViSharp refuses changed graphs because ONNX Runtime " +
                "does not validate every graph and a damaged one can crash the process");
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of the model serialized without its metadata entries. The entries are set aside and put back
    /// rather than the model cloned: a model is megabytes of weights.
    /// </summary>
    private static string DigestWithoutMetadata(OnnxProto.ModelProto model)
    {
        var metadata = model.MetadataProps.ToList();
        model.MetadataProps.Clear();
        try { return Convert.ToHexString(SHA256.HashData(model.ToByteArray())).ToLowerInvariant(); }
        finally { model.MetadataProps.Add(metadata); }
    }
}
