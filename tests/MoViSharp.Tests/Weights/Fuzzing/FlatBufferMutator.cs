using System.Buffers.Binary;
using MoViSharp.Weights.Tflite;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// TFLite FlatBuffers, length-preserving (so a failing input is saved as a small patch of the reference model) or truncated:
/// offsets pointed outside the buffer, at themselves or at other tables; vtable offsets and vector lengths inflated;
/// operator codes changed (also to the pass-through RESHAPE, QUANTIZE, DEQUANTIZE); operator inputs wired to later outputs
/// (cycles) or to omitted/absent tensors; shapes, buffer indices, types and quantization edited; raw damage in the table region.
/// The map of where these live is read once from the seed with the library's own bounds-checked reader.
/// </summary>
internal sealed class FlatBufferMutator : IInputMutator
{
    private sealed class Map
    {
        public List<int> OffsetSlots { get; } = [];
        public List<int> Tables { get; } = [];
        public List<int> VectorLengths { get; } = [];
        public List<int> OperatorInputs { get; } = [];
        public List<int> OperatorOutputValues { get; } = [];
        public List<(int At, int Width)> OperatorCodes { get; } = [];
        public List<int> OpcodeIndices { get; } = [];
        public List<int> ShapeElements { get; } = [];
        public List<(int At, int Width)> TensorFields { get; } = [];
        public List<int> QuantizationElements { get; } = [];
        public int TableRegionEnd { get; set; }
    }

    private static readonly int[] BuiltinCodes = [22, 114, 6, 3, 4, 0, 18, 2, 74, 40, 42, 1, 32, 127, 255, 300, -1];

    private readonly Dictionary<byte[], Map> maps = new(ReferenceEqualityComparer.Instance);

    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        var map = MapOf(seed);
        if (m.Chance(5)) return seed[..m.Next(seed.Length)];
        var bytes = (byte[])seed.Clone();
        for (int k = 1 + m.Next(3); k > 0; k--) MutateOnce(bytes, map, m, others);
        return bytes;
    }

    private static void MutateOnce(byte[] bytes, Map map, Mutation m, IReadOnlyList<byte[]> others)
    {
        void Int32(int at, int value) { if (at >= 0 && at + 4 <= bytes.Length) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value); }
        switch (m.Next(11))
        {
            case 0:
            {
                int slot = m.Pick(map.OffsetSlots);
                int value = m.Next(4) switch
                {
                    0 => bytes.Length - slot + m.Next(64) - 16,      // outside, or just at the end
                    1 => 0,                                          // at itself
                    2 => unchecked((int)m.Interesting(bytes.Length)),
                    _ => m.Pick(map.Tables) - slot,                  // at another table (negative: a uoffset wrapping far away)
                };
                Int32(slot, value);
                break;
            }
            case 1:
                Int32(m.Pick(map.Tables), unchecked((int)m.Interesting(bytes.Length)) + (m.Chance(50) ? 0 : m.Next(64) - 32));
                break;
            case 2:
                Int32(m.Pick(map.VectorLengths), unchecked((int)m.Interesting(bytes.Length)));
                break;
            case 3:
            case 4:
            {
                var (at, width) = m.Pick(map.OperatorCodes);
                int code = m.Pick(BuiltinCodes);
                if (width == 1) bytes[at] = unchecked((byte)Math.Min(code, 127));
                else Int32(at, code);
                break;
            }
            case 5:
            case 6:
                // An input wired to another op's output: cycles through the graph, or a tensor produced twice.
                Int32(m.Pick(map.OperatorInputs), m.Chance(80) ? m.Pick(map.OperatorOutputValues) : m.Pick([-1, -2, int.MaxValue, 0]));
                break;
            case 7:
                Int32(m.Pick(map.OpcodeIndices), m.Next(40) - 2);
                break;
            case 8:
                Int32(m.Pick(map.ShapeElements), m.Chance(50) ? unchecked((int)m.Interesting(bytes.Length)) : m.Next(5));
                break;
            case 9:
            {
                var (at, width) = m.Chance(50) ? m.Pick(map.TensorFields) : (m.Pick(map.QuantizationElements), 4);
                if (width == 1) bytes[at] = (byte)m.Next(24);
                else Int32(at, m.Chance(30) ? BitConverter.SingleToInt32Bits(m.Pick([float.NaN, float.PositiveInfinity, 0f, -1f, 1e30f])) : unchecked((int)m.Interesting(bytes.Length)));
                break;
            }
            default:
            {
                var damaged = m.Bytes(bytes, others, 0, map.TableRegionEnd);
                Array.Copy(damaged, bytes, Math.Min(damaged.Length, bytes.Length)); // keep the length
                break;
            }
        }
    }

    private Map MapOf(byte[] seed)
    {
        lock (maps)
        {
            if (!maps.TryGetValue(seed, out var map))
                maps[seed] = map = Read(seed);
            return map;
        }
    }

    private static Map Read(byte[] seed)
    {
        var map = new Map();
        var reader = new FlatBufferReader(seed, "seed");
        var root = reader.Root("model");
        map.OffsetSlots.Add(0);
        Table(map, root);
        int maxTable = 0;
        void Note(int position) => maxTable = Math.Max(maxTable, position);

        FlatBufferVector? Vector(FlatBufferTable t, int field, int size)
        {
            long slot = t.FieldPosition(field, 4);
            if (slot < 0) return null;
            map.OffsetSlots.Add((int)slot);
            var v = t.GetVector(field, size, "v")!.Value;
            map.VectorLengths.Add((int)v.LengthPosition);
            Note((int)v.LengthPosition);
            return v;
        }
        IEnumerable<FlatBufferTable> Tables(FlatBufferTable t, int field)
        {
            if (Vector(t, field, 4) is not { } v) yield break;
            for (int i = 0; i < v.Count; i++)
            {
                map.OffsetSlots.Add((int)(v.ElementsStart + 4 * i));
                var table = v.GetTable(i, "t");
                Table(map, table);
                Note((int)table.Position);
                yield return table;
            }
        }
        void Field(FlatBufferTable t, int field, int width, List<(int, int)> into)
        {
            long at = t.FieldPosition(field, width);
            if (at >= 0) into.Add(((int)at, width));
        }

        foreach (var code in Tables(root, 1))
        {
            Field(code, 0, 1, map.OperatorCodes);
            Field(code, 3, 4, map.OperatorCodes);
        }
        foreach (var subGraph in Tables(root, 2))
        {
            foreach (var tensor in Tables(subGraph, 0))
            {
                if (Vector(tensor, 0, 4) is { } shape)
                    for (int i = 0; i < shape.Count; i++) map.ShapeElements.Add((int)(shape.ElementsStart + 4 * i));
                Field(tensor, 1, 1, map.TensorFields);
                Field(tensor, 2, 4, map.TensorFields);
                foreach (var q in tensor.GetTable(4, "q") is { } quant ? [quant] : Array.Empty<FlatBufferTable>())
                {
                    map.Tables.Add((int)q.Position);
                    foreach (int field in (int[])[2, 3])
                        if (Vector(q, field, field == 3 ? 8 : 4) is { } values)
                            for (int i = 0; i < Math.Min(values.Count, 4); i++) map.QuantizationElements.Add((int)(values.ElementsStart + values.ElementSize * i));
                }
            }
            foreach (var op in Tables(subGraph, 3))
            {
                long opcode = op.FieldPosition(0, 4);
                if (opcode >= 0) map.OpcodeIndices.Add((int)opcode);
                if (Vector(op, 1, 4) is { } inputs)
                    for (int i = 0; i < inputs.Count; i++) map.OperatorInputs.Add((int)(inputs.ElementsStart + 4 * i));
                if (Vector(op, 2, 4) is { } outputs)
                    map.OperatorOutputValues.AddRange(outputs.ToInt32Array());
            }
        }
        map.TableRegionEnd = Math.Min(seed.Length, maxTable + 256);
        return map;
    }

    private static void Table(Map map, FlatBufferTable table) => map.Tables.Add((int)table.Position);
}
