using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>One tensor entry of a safetensors header: its data lies at [Begin, End) of the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, ScalarType ElementType, long[] Shape, long Begin, long End);

/// <summary>
/// The JSON header of a safetensors file: <c>{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}</c>.
/// <see cref="Parse"/> checks everything the format requires before any tensor memory is allocated.
/// </summary>
internal sealed class SafeTensorsHeader
{
    public const int MaxDimensions = 64;
    private const string MetadataKey = "__metadata__";

    public required IReadOnlyList<SafeTensorsEntry> Entries { get; init; } // sorted by data offset
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>Parses and validates <paramref name="json"/> against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string source)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw new CheckpointFormatException(source, "header", $"the header is not valid UTF-8.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(source, "header", $"the header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(source, "header", $"the header is a JSON {root.ValueKind}, not an object.");

            var entries = new List<SafeTensorsEntry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            Dictionary<string, string>? metadata = null;
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw new CheckpointFormatException(source, "header", $"the header names '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                    metadata = ParseMetadata(property.Value, source);
                else
                    entries.Add(ParseEntry(property.Name, property.Value, source));
            }

            var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
            long expected = 0;
            foreach (var entry in ordered)
            {
                if (entry.End > dataLength)
                    throw new CheckpointFormatException(source, $"tensor '{entry.Name}'",
                        $"tensor '{entry.Name}' ends at byte {entry.End}, beyond the data section of {dataLength} bytes.");
                if (entry.Begin < expected)
                    throw new CheckpointFormatException(source, $"tensor '{entry.Name}'",
                        $"tensor '{entry.Name}' at bytes [{entry.Begin}, {entry.End}) overlaps the previous tensor, which ends at {expected}.");
                if (entry.Begin > expected)
                    throw new CheckpointFormatException(source, $"tensor '{entry.Name}'",
                        $"tensor '{entry.Name}' starts at byte {entry.Begin}, leaving the bytes [{expected}, {entry.Begin}) unused.");
                expected = entry.End;
            }
            if (expected != dataLength)
                throw new CheckpointFormatException(source, "data",
                    $"the tensors cover {expected} bytes, but the data section has {dataLength}.");
            return new SafeTensorsHeader { Entries = ordered, Metadata = metadata ?? new Dictionary<string, string>() };
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(source, "header", $"__metadata__ is a JSON {value.ValueKind}, not an object of strings.");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointFormatException(source, "header", $"__metadata__ entry '{item.Name}' is a JSON {item.Value.ValueKind}, not a string.");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new CheckpointFormatException(source, "header", $"__metadata__ names '{item.Name}' twice.");
        }
        return metadata;
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonElement value, string source)
    {
        string Prefix() => $"tensor '{name}'";
        CheckpointFormatException Bad(string problem) => new(source, Prefix(), problem);
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad($"{Prefix()} is a JSON {value.ValueKind}, not an object.");
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtype is null: dtype = field.Value; break;
                case "shape" when shape is null: shape = field.Value; break;
                case "data_offsets" when offsets is null: offsets = field.Value; break;
                default: throw Bad($"{Prefix()} has an unexpected or repeated field '{field.Name}'.");
            }
        }
        if (dtype is not { ValueKind: JsonValueKind.String } dtypeText)
            throw Bad($"{Prefix()} has no string 'dtype'.");
        var elementType = TensorElementTypes.FromSafeTensors(dtypeText.GetString()!)
                          ?? throw new CheckpointNotSupportedException(source, Prefix(),
                              $"{Prefix()} has the unsupported dtype '{dtypeText.GetString()}' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).");
        long[] dims = ReadIntegers(shape, "shape", source, Prefix);
        if (dims.Length > MaxDimensions)
            throw Bad($"{Prefix()} has {dims.Length} dimensions, more than {MaxDimensions}.");
        if (dims.Any(d => d < 0))
            throw Bad($"{Prefix()} has a negative dimension in shape {TensorElementTypes.FormatShape(dims)}.");
        long[] range = ReadIntegers(offsets, "data_offsets", source, Prefix);
        if (range.Length != 2)
            throw Bad($"{Prefix()} has {range.Length} data_offsets; expected [begin, end].");
        var (begin, end) = (range[0], range[1]);
        if (begin < 0 || end < begin)
            throw Bad($"{Prefix()} has invalid data_offsets [{begin}, {end}] (need 0 ≤ begin ≤ end).");
        int elementSize = TensorElementTypes.SizeOf(elementType);
        long bytes = TensorShapes.CheckedElementCount(dims, elementSize, source, Prefix()) * elementSize;
        if (end - begin != bytes)
            throw Bad(
                $"{Prefix()} of {TensorElementTypes.Describe(elementType)} {TensorElementTypes.FormatShape(dims)} needs {bytes} bytes, " +
                $"but data_offsets [{begin}, {end}] span {end - begin}.");
        if (bytes > Array.MaxLength)
            throw new CheckpointNotSupportedException(source, Prefix(), $"{Prefix()} has {bytes} bytes; tensors over {Array.MaxLength} bytes are not supported.");
        return new SafeTensorsEntry(name, elementType, dims, begin, end);
    }

    private static long[] ReadIntegers(JsonElement? element, string field, string source, Func<string> prefix)
    {
        if (element is not { ValueKind: JsonValueKind.Array } array)
            throw new CheckpointFormatException(source, prefix(), $"{prefix()} has no array '{field}'.");
        if (array.GetArrayLength() > MaxDimensions)
            throw new CheckpointFormatException(source, prefix(), $"{prefix()} has {array.GetArrayLength()} values in '{field}', more than {MaxDimensions}.");
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i++]))
                throw new CheckpointFormatException(source, prefix(), $"{prefix()} has '{field}' value {item.GetRawText()}, which is not a 64-bit integer.");
        }
        return values;
    }

    /// <summary>
    /// The header bytes for tensors laid out back to back in the given order, with metadata first when there is any,
    /// padded with spaces to a multiple of 8 bytes.
    /// </summary>
    public static byte[] Build(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", TensorElementTypes.ToSafeTensors(entry.ElementType));
                json.WriteStartArray("shape");
                foreach (long dim in entry.Shape)
                    json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(entry.Begin);
                json.WriteNumberValue(entry.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }
}
