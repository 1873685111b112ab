namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// One protobuf field, as the ONNX mutator sees it: a varint, a fixed 4/8-byte value, or a length-delimited payload that is
/// either raw bytes or (when it parses as one) a nested message. <see cref="DeclaredLength"/> replaces the true length when
/// written, so a mutation can inflate or shrink a length prefix without touching anything else.
/// </summary>
internal sealed record ProtoField(int Number, int Wire, ulong Value, byte[]? Raw, IReadOnlyList<ProtoField>? Fields, ulong? DeclaredLength = null);

/// <summary>Parses protobuf bytes into <see cref="ProtoField"/>s and writes them back byte for byte (varints are re-encoded canonically).</summary>
internal static class ProtobufTree
{
    private const int MaxDepth = 12;

    public static List<ProtoField> Parse(byte[] bytes) => TryParse(bytes, 0) ?? throw new ArgumentException("not a protobuf message");

    /// <summary>The fields of <paramref name="bytes"/>, or null when they are not a well-formed message.</summary>
    private static List<ProtoField>? TryParse(byte[] bytes, int depth)
    {
        var fields = new List<ProtoField>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (!TryVarint(bytes, ref at, out ulong key)) return null;
            int number = (int)(key >> 3), wire = (int)(key & 7);
            if (number <= 0 || key >> 3 > 536_870_911) return null;
            switch (wire)
            {
                case 0:
                    if (!TryVarint(bytes, ref at, out ulong v)) return null;
                    fields.Add(new ProtoField(number, 0, v, null, null));
                    break;
                case 1 or 5:
                {
                    int size = wire == 1 ? 8 : 4;
                    if (at + size > bytes.Length) return null;
                    fields.Add(new ProtoField(number, wire, 0, bytes[at..(at + size)], null));
                    at += size;
                    break;
                }
                case 2:
                {
                    if (!TryVarint(bytes, ref at, out ulong length) || length > (ulong)(bytes.Length - at)) return null;
                    var payload = bytes[at..(at + (int)length)];
                    at += (int)length;
                    // Short payloads are names far more often than messages; a message's parse must consume them exactly.
                    var nested = depth < MaxDepth && payload.Length >= 2 ? TryParse(payload, depth + 1) : null;
                    fields.Add(new ProtoField(number, 2, 0, nested is null ? payload : null, nested));
                    break;
                }
                default:
                    return null;
            }
        }
        return fields;
    }

    private static bool TryVarint(byte[] bytes, ref int at, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && at < bytes.Length; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    public static byte[] Write(IReadOnlyList<ProtoField> fields)
    {
        var output = new MemoryStream();
        Write(output, fields);
        return output.ToArray();
    }

    private static void Write(MemoryStream output, IReadOnlyList<ProtoField> fields)
    {
        foreach (var f in fields)
        {
            Varint(output, ((ulong)(uint)f.Number << 3) | (uint)(f.Wire & 7));
            switch (f.Wire)
            {
                case 0: Varint(output, f.Value); break;
                case 2:
                {
                    byte[] payload = f.Fields is { } nested ? Write(nested) : f.Raw ?? [];
                    Varint(output, f.DeclaredLength ?? (ulong)payload.Length);
                    output.Write(payload);
                    break;
                }
                default: output.Write(f.Raw ?? []); break;
            }
        }
    }

    private static void Varint(MemoryStream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }

    /// <summary>Every field's path (indices from the top level down), in document order.</summary>
    public static List<int[]> Paths(IReadOnlyList<ProtoField> fields)
    {
        var paths = new List<int[]>();
        void Walk(IReadOnlyList<ProtoField> level, int[] prefix)
        {
            for (int i = 0; i < level.Count; i++)
            {
                int[] path = [.. prefix, i];
                paths.Add(path);
                if (level[i].Fields is { } nested) Walk(nested, path);
            }
        }
        Walk(fields, []);
        return paths;
    }

    public static ProtoField At(IReadOnlyList<ProtoField> fields, int[] path)
    {
        var field = fields[path[0]];
        for (int i = 1; i < path.Length; i++) field = field.Fields![path[i]];
        return field;
    }

    /// <summary>A copy of <paramref name="fields"/> with the siblings around <paramref name="path"/> replaced by <paramref name="edit"/>'s result (lengths above it follow).</summary>
    public static List<ProtoField> EditSiblings(IReadOnlyList<ProtoField> fields, int[] path, Func<List<ProtoField>, int, List<ProtoField>> edit)
    {
        var level = fields.ToList();
        if (path.Length == 1) return edit(level, path[0]);
        var parent = level[path[0]];
        level[path[0]] = parent with { Fields = EditSiblings(parent.Fields!, path[1..], edit) };
        return level;
    }
}
