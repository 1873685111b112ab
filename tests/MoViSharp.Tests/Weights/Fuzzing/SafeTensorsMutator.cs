using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>safetensors: numbers in the JSON header replaced by extreme ones (shapes, offsets), dtypes swapped, entries
/// duplicated, text edited, deep nesting, and inflated header lengths.</summary>
internal sealed partial class SafeTensorsMutator : IInputMutator
{
    private static readonly string[] Numbers = ["0", "1", "-1", "7", "4294967296", "4611686018427387904", "9223372036854775807", "99999999999999999999", "1e30", "2.5", "-0"];
    private static readonly string[] Dtypes = ["F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "C64", "F8_E4M3", "", "U64"];

    [GeneratedRegex(@"-?\d+")]
    private static partial Regex Number();

    [GeneratedRegex("\"dtype\":\"[A-Z0-9_]*\"")]
    private static partial Regex Dtype();

    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        if (seed.Length < 9 || m.Chance(15)) return m.Bytes(seed, others);
        long declared = BinaryPrimitives.ReadInt64LittleEndian(seed);
        int headerEnd = (int)Math.Clamp(8 + declared, 8, seed.Length);
        string header = Encoding.UTF8.GetString(seed, 8, headerEnd - 8);
        byte[] data = seed[headerEnd..];
        switch (m.Next(6))
        {
            case 0:
            case 1:
            {
                var numbers = Number().Matches(header);
                if (numbers.Count == 0) break;
                for (int k = 1 + m.Next(2); k > 0; k--)
                {
                    var match = numbers[m.Next(numbers.Count)];
                    header = header[..match.Index] + m.Pick(Numbers) + header[(match.Index + match.Length)..];
                    numbers = Number().Matches(header);
                    if (numbers.Count == 0) break;
                }
                break;
            }
            case 2:
            {
                var dtypes = Dtype().Matches(header);
                if (dtypes.Count == 0) break;
                var match = dtypes[m.Next(dtypes.Count)];
                header = header[..match.Index] + $"\"dtype\":\"{m.Pick(Dtypes)}\"" + header[(match.Index + match.Length)..];
                break;
            }
            case 3:
            {
                int at = m.Next(header.Length);
                header = header[..at] + m.Pick(["{", "}", "[", "]", ",", "\"", ":", "[[[[[[[[", "\"__metadata__\":{\"a\":1},", "\\u0000", "\uFFFF"]) + header[at..];
                break;
            }
            case 4:
            {
                // The same entry twice, or one entry's offsets given to another.
                int open = header.IndexOf("\"data_offsets\"", StringComparison.Ordinal);
                if (open > 0) header = header.Insert(1, header[1..Math.Min(header.Length - 1, open + 30)] + ",");
                break;
            }
            default:
            {
                var bytes = Build(header, data);
                m.WriteInteger(bytes, 0, 8, m.Interesting(bytes.Length));
                return bytes;
            }
        }
        return Build(header, data);
    }

    private static byte[] Build(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }
}
