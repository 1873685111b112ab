using System.Buffers.Binary;
using System.Text;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// Emits the few pickle (protocol 2) opcodes a <c>torch.save</c> state dict needs: globals, marks, tuples, strings, integers,
/// booleans, REDUCE, persistent ids and dict items. It writes data only; nothing here can make a reader run more than the
/// constructors named by <see cref="Global"/>.
/// </summary>
internal sealed class PickleWriter(Stream stream)
{
    public void Protocol() => stream.Write([0x80, 2]);

    public void Global(string module, string name) => Bytes((byte)'c', Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public void Mark() => stream.WriteByte((byte)'(');

    public void Tuple() => stream.WriteByte((byte)'t');

    public void EmptyTuple() => stream.WriteByte((byte)')');

    public void EmptyDict() => stream.WriteByte((byte)'}');

    public void Reduce() => stream.WriteByte((byte)'R');

    public void SetItems() => stream.WriteByte((byte)'u');

    /// <summary>SETITEM: one key and value into the dict below them.</summary>
    public void SetItem() => stream.WriteByte((byte)'s');

    public void PersistentId() => stream.WriteByte((byte)'Q');

    public void Stop() => stream.WriteByte((byte)'.');

    public void Bool(bool value) => stream.WriteByte(value ? (byte)0x88 : (byte)0x89);

    public void String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
        stream.WriteByte((byte)'X');
        stream.Write(length);
        stream.Write(utf8);
    }

    public void Int(long value)
    {
        if (value is >= 0 and <= byte.MaxValue) { stream.Write([(byte)'K', (byte)value]); return; }
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            Span<byte> bytes = stackalloc byte[5];
            bytes[0] = (byte)'J';
            BinaryPrimitives.WriteInt32LittleEndian(bytes[1..], (int)value);
            stream.Write(bytes);
            return;
        }
        // LONG1: a little-endian two's-complement integer of 8 bytes.
        Span<byte> wide = stackalloc byte[10];
        wide[0] = 0x8a;
        wide[1] = 8;
        BinaryPrimitives.WriteInt64LittleEndian(wide[2..], value);
        stream.Write(wide);
    }

    private void Bytes(byte opcode, byte[] payload)
    {
        stream.WriteByte(opcode);
        stream.Write(payload);
    }
}
