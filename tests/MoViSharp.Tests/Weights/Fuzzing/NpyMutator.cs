using System.Buffers.Binary;
using System.Text;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>.npy: rewritten header dicts (descr, fortran_order, shapes with extreme, zero and negative sizes, many dimensions),
/// edited header text and length fields, versions, and data of the wrong length.</summary>
internal sealed class NpyMutator : IInputMutator
{
    private static readonly string[] Descrs = ["<f4", "<f8", "<i8", "<i4", "|u1", ">f4", ">f8", ">i8", ">i4", "=f4", "<f2", "|b1", "O", "<U10", "<c8", "|f4", "<i2"];
    private static readonly string[] Dims = ["0", "1", "2", "3", "7", "-1", "2147483648", "4294967296", "4611686018427387904", "9223372036854775807", "99999999999999999999", "3L"];
    private const string HeaderChars = "(){}[],:'\"-0123456789LTFN \n\\x";

    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        if (seed.Length < 10 || m.Chance(15)) return m.Bytes(seed, others);
        int major = seed[6], lengthSize = major == 1 ? 2 : 4;
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(seed.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(seed.AsSpan(8));
        int dataStart = Math.Min(seed.Length, 8 + lengthSize + headerLength);
        string header = Encoding.Latin1.GetString(seed, 8 + lengthSize, dataStart - 8 - lengthSize);
        byte[] data = seed[dataStart..];
        switch (m.Next(6))
        {
            case 0:
            case 1:
            {
                int rank = m.Chance(5) ? 60 + m.Next(20) : m.Next(5);
                var dims = Enumerable.Range(0, rank).Select(_ => m.Pick(Dims)).ToList();
                string shape = rank == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
                header = $"{{'descr': '{m.Pick(Descrs)}', 'fortran_order': {(m.Chance(50) ? "True" : "False")}, 'shape': {shape}, }}\n";
                if (m.Chance(50)) data = new byte[Math.Min(1 << 16, m.Next(4) * 8 + m.Next(64))];
                break;
            }
            case 2:
            {
                var text = new StringBuilder(header);
                for (int k = 1 + m.Next(3); k > 0 && text.Length > 0; k--)
                    text[m.Next(text.Length)] = HeaderChars[m.Next(HeaderChars.Length)];
                header = text.ToString();
                break;
            }
            case 3:
                header = header.Replace("(", new string('(', 1 + m.Next(100)), StringComparison.Ordinal);
                break;
            case 4:
                major = m.Pick([1, 2, 3, 4, 0, 255]);
                break;
            default:
            {
                var bytes = Build(major, header, data);
                m.WriteInteger(bytes, 8, major == 1 ? 2 : 4, m.Interesting(bytes.Length));
                return bytes;
            }
        }
        return Build(major, header, data);
    }

    private static byte[] Build(int major, string header, byte[] data)
    {
        int lengthSize = major == 1 ? 2 : 4;
        byte[] text = major == 3 ? Encoding.UTF8.GetBytes(header) : Encoding.Latin1.GetBytes(header);
        var bytes = new byte[8 + lengthSize + text.Length + data.Length];
        byte[] magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        magic.CopyTo(bytes, 0);
        bytes[6] = (byte)major;
        if (lengthSize == 2) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)Math.Min(text.Length, ushort.MaxValue));
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)text.Length);
        text.CopyTo(bytes, 8 + lengthSize);
        data.CopyTo(bytes, 8 + lengthSize + text.Length);
        return bytes;
    }
}
