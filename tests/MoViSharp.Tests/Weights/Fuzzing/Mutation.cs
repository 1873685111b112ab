using System.Buffers.Binary;
using CsCheck;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Deterministic random choices for mutating one input (from the seed CsCheck generated), and the mutations every format
/// gets: bit flips, random bytes, truncation, deletion, insertion, duplicated and spliced chunks, and "interesting" integers
/// (zero, ±1, sign bits, all ones, the input's length) written over 2, 4 or 8 bytes — inflated lengths and offsets.
/// </summary>
internal sealed class Mutation(ulong seed)
{
    private readonly PCG random = new((uint)(seed >> 32) | 1, seed);

    public int Next(int max) => max <= 0 ? 0 : (int)random.Next((uint)max);

    public bool Chance(int percent) => Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Values that trip size arithmetic: the bounds of every width, and sizes near the input's own length.</summary>
    public long Interesting(int inputLength) => Next(16) switch
    {
        0 => 0,
        1 => 1,
        2 => -1,
        3 => int.MaxValue,
        4 => int.MinValue,
        5 => uint.MaxValue,
        6 => long.MaxValue,
        7 => long.MinValue,
        8 => 1L << 32,
        9 => 1L << 62,
        10 => inputLength,
        11 => inputLength + 1 + Next(64),
        12 => inputLength - 1 - Next(64),
        13 => ushort.MaxValue,
        14 => 0x7FFF + Next(4),
        _ => Next(256),
    };

    public void WriteInteger(byte[] bytes, int at, int width, long value)
    {
        if (at < 0 || at + width > bytes.Length) return;
        switch (width)
        {
            case 1: bytes[at] = unchecked((byte)value); break;
            case 2: BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(at), unchecked((short)value)); break;
            case 4: BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), unchecked((int)value)); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), value); break;
        }
    }

    /// <summary>One generic mutation of <paramref name="input"/>, within [<paramref name="from"/>, <paramref name="to"/>) where it writes.</summary>
    public byte[] Bytes(byte[] input, IReadOnlyList<byte[]> others, int from = 0, int to = int.MaxValue)
    {
        to = Math.Min(to, input.Length);
        if (input.Length == 0 || from >= to) return [.. input, (byte)Next(256)];
        int At() => from + Next(to - from);
        var bytes = (byte[])input.Clone();
        switch (Next(10))
        {
            case 0:
                bytes[At()] ^= (byte)(1 << Next(8));
                return bytes;
            case 1:
                bytes[At()] = (byte)Next(256);
                return bytes;
            case 2:
                return bytes[..Next(bytes.Length)];
            case 3:
            {
                int at = At(), length = Math.Min(1 + Next(64), bytes.Length - at);
                return [.. bytes[..at], .. bytes[(at + length)..]];
            }
            case 4:
            {
                int at = At();
                var insert = new byte[1 + Next(16)];
                for (int i = 0; i < insert.Length; i++) insert[i] = (byte)Next(256);
                return [.. bytes[..at], .. insert, .. bytes[at..]];
            }
            case 5:
            {
                int at = At(), length = Math.Min(1 + Next(256), bytes.Length - at);
                var chunk = bytes[at..(at + length)];
                int to2 = At();
                return [.. bytes[..to2], .. chunk, .. bytes[to2..]];
            }
            case 6:
            {
                var other = Pick(others);
                if (other.Length == 0) return bytes;
                int at = Next(other.Length), length = Math.Min(1 + Next(512), other.Length - at), target = At();
                Array.Copy(other, at, bytes, target, Math.Min(length, bytes.Length - target));
                return bytes;
            }
            default:
                WriteInteger(bytes, At(), Pick([1, 2, 4, 8]), Interesting(bytes.Length));
                return bytes;
        }
    }
}
