using System.Text;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// ONNX models: the protobuf tree edited field by field — fields deleted, duplicated, moved in from elsewhere in the model,
/// renumbered or given another wire type, varints (dims, data types, attribute values, versions) made extreme, payloads
/// damaged, length prefixes inflated or shrunk — and MoViSharp's metadata (ModelProto field 14) rewritten: numbers made
/// extreme, forms and dtypes changed, the JSON of states, preprocessing and labels damaged, entries dropped or repeated.
/// Plus the generic byte mutations (bit flips, truncation, splices).
/// </summary>
internal sealed class OnnxMutator : IInputMutator
{
    private const int MetadataField = 14;
    private static readonly string[] Words =
        ["0", "-1", "1", "2147483647", "-2147483648", "4096", "65536", "1e9", "NaN", "null", "true", "\"x\"", "[]", "{}", "[1,2]", "1.5",
         "ring", "plain", "passthrough", "clip", "stream-ring", "float64", "int32", "movisharp-onnx/2", "nthwc", "nchw", ""];

    private readonly Dictionary<byte[], (List<ProtoField> Tree, List<int[]> Paths)> parsed = new(ReferenceEqualityComparer.Instance);

    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        if (m.Chance(15)) return m.Bytes(seed, others);
        List<ProtoField> tree;
        List<int[]> paths;
        lock (parsed)
        {
            if (!parsed.TryGetValue(seed, out var entry)) parsed[seed] = entry = (ProtobufTree.Parse(seed), ProtobufTree.Paths(ProtobufTree.Parse(seed)));
            (tree, paths) = entry;
        }
        int edits = 1 + (m.Chance(20) ? m.Next(3) : 0);
        for (int k = 0; k < edits; k++)
        {
            tree = m.Chance(35) ? EditMetadata(tree, m) : EditField(tree, m.Pick(paths), paths, m);
            paths = k + 1 < edits ? ProtobufTree.Paths(tree) : paths;
        }
        return ProtobufTree.Write(tree);
    }

    private static List<ProtoField> EditField(List<ProtoField> tree, int[] path, List<int[]> paths, Mutation m)
    {
        if (path[^1] >= SiblingCount(tree, path)) return tree;   // paths of the seed; an earlier edit may have removed this one
        var field = ProtobufTree.At(tree, path);
        return ProtobufTree.EditSiblings(tree, path, (level, i) =>
        {
            switch (m.Next(9))
            {
                case 0:
                    level.RemoveAt(i);
                    break;
                case 1:
                    level.Insert(i, field);
                    break;
                case 2:
                {
                    var elsewhere = paths[m.Next(paths.Count)];
                    if (elsewhere.Length > 0 && elsewhere[^1] < SiblingCount(tree, elsewhere)) level.Insert(m.Next(level.Count + 1), ProtobufTree.At(tree, elsewhere));
                    break;
                }
                case 3:
                    level[i] = field with { Number = m.Chance(70) ? 1 + m.Next(20) : (int)Math.Max(1, m.Interesting(1 << 20) & 0x1FFFFFFF) };
                    break;
                case 4:
                    // Another wire type over the same bytes: the reader sees a varint where a message was, or a length where a number was.
                    level[i] = field.Wire == 2
                        ? field with { Wire = m.Pick([0, 1, 5]), Raw = (field.Raw ?? ProtobufTree.Write(field.Fields!)).Take(field.Wire == 1 ? 8 : 4).ToArray(), Fields = null }
                        : field with { Wire = 2, Raw = field.Raw ?? [], Fields = null };
                    break;
                case 5 when field.Wire == 0:
                    level[i] = field with { Value = m.Chance(50) ? unchecked((ulong)m.Interesting(1 << 16)) : field.Value + (ulong)m.Next(8) - 4 };
                    break;
                case 6 when field.Wire == 2:
                {
                    ulong length = (ulong)(field.Raw?.Length ?? ProtobufTree.Write(field.Fields!).Length);
                    level[i] = field with { DeclaredLength = m.Chance(70) ? length + 1 + (ulong)m.Next(1 << m.Next(24)) : unchecked((ulong)m.Interesting((int)length)) };
                    break;
                }
                case 7 when field.Raw is { Length: > 0 } raw:
                    level[i] = field with { Raw = m.Bytes(raw, [raw]) };
                    break;
                default:
                    if (i + 1 < level.Count) (level[i], level[i + 1]) = (level[i + 1], level[i]);
                    else level[i] = field with { Raw = ProtobufTree.Write([field]), Fields = null, Wire = 2, Number = field.Number };
                    break;
            }
            return level;
        });
    }

    private static int SiblingCount(List<ProtoField> tree, int[] path)
    {
        IReadOnlyList<ProtoField> level = tree;
        for (int i = 0; i < path.Length - 1; i++)
        {
            if (path[i] >= level.Count || level[path[i]].Fields is not { } nested) return 0;
            level = nested;
        }
        return level.Count;
    }

    /// <summary>Rewrites one metadata entry's value (or drops, repeats or renames the entry).</summary>
    private static List<ProtoField> EditMetadata(List<ProtoField> tree, Mutation m)
    {
        var entries = Enumerable.Range(0, tree.Count).Where(i => tree[i].Number == MetadataField && tree[i].Wire == 2).ToList();
        if (entries.Count == 0) return tree;
        int at = m.Pick(entries);
        var (key, value) = Entry(tree[at]);
        var result = tree.ToList();
        switch (m.Next(10))
        {
            case 0:
                result.RemoveAt(at);
                return result;
            case 1:
                result.Insert(at, MakeEntry(key, m.Pick(Words)));
                return result;
            case 2:
                result[at] = MakeEntry(m.Pick(["format", "classes", "states", "preprocessing", "labels", "form", "frame_height", "input"]), value);
                return result;
            default:
                result[at] = MakeEntry(key, EditText(value, m));
                return result;
        }
    }

    private static string EditText(string value, Mutation m)
    {
        switch (m.Next(6))
        {
            case 0:
                return m.Pick(Words);
            case 1:
                return m.Interesting(value.Length).ToString(System.Globalization.CultureInfo.InvariantCulture);
            case 2:
            {
                // A number inside the JSON (a shape, a frame count, a size) made extreme.
                var numbers = System.Text.RegularExpressions.Regex.Matches(value, "-?[0-9]+(\\.[0-9]+)?");
                if (numbers.Count == 0) return value + m.Pick(Words);
                var n = numbers[m.Next(numbers.Count)];
                string replacement = m.Chance(70) ? m.Interesting(value.Length).ToString(System.Globalization.CultureInfo.InvariantCulture) : m.Pick(Words);
                return value[..n.Index] + replacement + value[(n.Index + n.Length)..];
            }
            case 3:
            {
                // A JSON string value (a kind, a dtype, a graph name) replaced.
                var strings = System.Text.RegularExpressions.Regex.Matches(value, "\"[^\"]*\"");
                if (strings.Count == 0) return value;
                var s = strings[m.Next(strings.Count)];
                return value[..s.Index] + "\"" + m.Pick(Words).Trim('"') + "\"" + value[(s.Index + s.Length)..];
            }
            case 4:
            {
                var text = new StringBuilder(value);
                for (int k = 1 + m.Next(3); k > 0 && text.Length > 0; k--) text[m.Next(text.Length)] = "{}[],:\"0-9e. n"[m.Next(14)];
                return text.ToString();
            }
            default:
                return value.Length == 0 ? value : value[..m.Next(value.Length)];
        }
    }

    private static (string Key, string Value) Entry(ProtoField entry)
    {
        string key = "", value = "";
        foreach (var f in entry.Fields ?? [])
        {
            string text = Encoding.UTF8.GetString(f.Raw ?? ProtobufTree.Write(f.Fields ?? []));
            if (f.Number == 1) key = text;
            else if (f.Number == 2) value = text;
        }
        return (key, value);
    }

    private static ProtoField MakeEntry(string key, string value) => new(MetadataField, 2, 0, null,
        [new ProtoField(1, 2, 0, Encoding.UTF8.GetBytes(key), null), new ProtoField(2, 2, 0, Encoding.UTF8.GetBytes(value), null)]);
}
