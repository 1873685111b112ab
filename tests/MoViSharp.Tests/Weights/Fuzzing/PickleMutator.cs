using System.Text;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Pickle programs: opcodes inserted, deleted or swapped, integer arguments (sizes, strides, offsets, storage sizes, memo
/// indices) replaced by extreme ones, and globals named — allowed ones in the wrong place and forbidden ones.
/// </summary>
internal static class PickleMutator
{
    private static readonly (string Module, string Name)[] Globals =
    [
        ("os", "system"), ("builtins", "eval"), ("torch", "load"), ("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_tensor"), ("torch._utils", "_rebuild_parameter"), ("torch", "FloatStorage"), ("torch", "LongStorage"),
        ("torch", "BoolStorage"), ("torch", "ComplexFloatStorage"), ("numpy.core.multiarray", "_reconstruct"),
    ];

    // Every opcode the restricted unpickler knows, and a few it refuses.
    private static readonly byte[] Opcodes =
        [0x80, 0x95, 0x2E, 0x28, 0x30, 0x31, 0x32, 0x4E, 0x88, 0x89, 0x4B, 0x4D, 0x4A, 0x8A, 0x8B, 0x47, 0x8C, 0x58, 0x8D, 0x43, 0x42,
         0x7D, 0x5D, 0x29, 0x74, 0x85, 0x86, 0x87, 0x6C, 0x64, 0x61, 0x65, 0x73, 0x75, 0x71, 0x72, 0x94, 0x68, 0x6A, 0x63, 0x93,
         0x52, 0x62, 0x51, 0x69, 0x81, 0x92, 0x50];

    /// <summary>One mutation of the pickle held in <paramref name="bytes"/>[<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static byte[] Mutate(byte[] bytes, int from, int to, Mutation m, IReadOnlyList<byte[]> others)
    {
        to = Math.Min(to, bytes.Length);
        if (from >= to) return m.Bytes(bytes, others);
        int At() => from + m.Next(to - from);
        switch (m.Next(6))
        {
            case 0:
            {
                // An extreme integer argument after an integer opcode.
                var positions = Enumerable.Range(from, to - from).Where(i => bytes[i] is 0x4A or 0x4B or 0x4D or 0x8A or 0x71 or 0x68 or 0x72 or 0x6A).ToList();
                if (positions.Count == 0) goto default;
                int at = m.Pick(positions);
                var copy = (byte[])bytes.Clone();
                int width = copy[at] switch { 0x4A or 0x72 or 0x6A => 4, 0x4D => 2, 0x8A => Math.Min(8, at + 1 < copy.Length ? (int)copy[at + 1] : 0), _ => 1 };
                m.WriteInteger(copy, at + (copy[at] == 0x8A ? 2 : 1), width is 1 or 2 or 4 or 8 ? width : 1, m.Interesting(copy.Length));
                return copy;
            }
            case 1:
            {
                var (module, name) = m.Pick(Globals);
                byte[] global = [0x63, .. Encoding.ASCII.GetBytes($"{module}\n{name}\n")];
                int at = At();
                return [.. bytes[..at], .. global, .. bytes[at..]];
            }
            case 2:
            {
                int at = At();
                byte[] op = [m.Pick(Opcodes), (byte)m.Next(256), (byte)m.Next(4), 0, 0];
                return [.. bytes[..at], .. op[..(1 + m.Next(op.Length))], .. bytes[at..]];
            }
            case 3:
            {
                var copy = (byte[])bytes.Clone();
                copy[At()] = m.Pick(Opcodes);
                return copy;
            }
            case 4:
            {
                int at = At(), length = Math.Min(1 + m.Next(12), to - at);
                return [.. bytes[..at], .. bytes[(at + length)..]];
            }
            default:
                return m.Bytes(bytes, others, from, to);
        }
    }
}
