using System.Text;
using System.Text.Json.Nodes;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Damaged ONNX models kept small in Fixtures/fuzz/onnx/ (the seed is exported in-process, not stored): a
/// <c>.onnx-patch</c> is a <see cref="TflitePatch"/>-format difference from the plain seed; a <c>.onnx-metadata</c> is
/// <c>{"base": "plain"|"ring", "set": {key: value or null}}</c>, the seed with those metadata entries replaced (null: removed).
/// </summary>
internal static class OnnxSavedInput
{
    public const string PatchExtension = ".onnx-patch", MetadataExtension = ".onnx-metadata";
    private const int MetadataField = 14;

    public static bool Handles(string path) =>
        path.EndsWith(PatchExtension, StringComparison.Ordinal) || path.EndsWith(MetadataExtension, StringComparison.Ordinal);

    public static byte[] Load(string path)
    {
        if (path.EndsWith(PatchExtension, StringComparison.Ordinal)) return TflitePatch.Apply(OnnxFuzzTarget.PlainSeed.Value, File.ReadAllText(path));
        var edit = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        byte[] seed = edit["base"]!.GetValue<string>() == "ring" ? OnnxFuzzTarget.RingSeed.Value : OnnxFuzzTarget.PlainSeed.Value;
        return WithMetadata(seed, edit["set"]!.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValue<string>()));
    }

    /// <summary>The seed's metadata entry <paramref name="key"/>, as the exporter wrote it.</summary>
    public static string Metadata(byte[] model, string key) => Entries(ProtobufTree.Parse(model)).First(e => e.Key == key).Value;

    /// <summary><paramref name="model"/> with the given metadata entries replaced, added or (null) removed.</summary>
    public static byte[] WithMetadata(byte[] model, IReadOnlyDictionary<string, string?> set)
    {
        var fields = ProtobufTree.Parse(model).Where(f => !(f.Number == MetadataField && set.ContainsKey(Key(f)))).ToList();
        foreach (var (key, value) in set)
            if (value is not null)
                fields.Add(new ProtoField(MetadataField, 2, 0, null,
                    [new ProtoField(1, 2, 0, Encoding.UTF8.GetBytes(key), null), new ProtoField(2, 2, 0, Encoding.UTF8.GetBytes(value), null)]));
        return ProtobufTree.Write(fields);
    }

    private static IEnumerable<(string Key, string Value)> Entries(List<ProtoField> fields) =>
        fields.Where(f => f.Number == MetadataField).Select(f => (Key(f), Text(f.Fields!.First(e => e.Number == 2))));

    private static string Key(ProtoField entry) => entry.Fields is { } parts ? Text(parts.First(e => e.Number == 1)) : "";

    private static string Text(ProtoField f) => Encoding.UTF8.GetString(f.Raw ?? ProtobufTree.Write(f.Fields!));
}
