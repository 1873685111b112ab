using System.Buffers.Binary;
using System.Text;

namespace MoViSharp.Weights.Tflite;

/// <summary>
/// Bounds-checked reader over one FlatBuffer. Every offset, vtable and vector length is checked
/// against the buffer before use, so a malformed file fails with a <see cref="CheckpointFormatException"/>
/// naming the file instead of reading out of range. Offsets may point anywhere, also at each other, so what a file makes
/// us decode is charged against a budget proportional to its size.
/// </summary>
public sealed class FlatBufferReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Bytes charged for each table visited: the record it becomes is about this large.</summary>
    public const int TableCharge = 64;

    // Offsets may be shared, so a small file could make us materialise huge arrays (N tables pointing at one
    // long vector). The budget caps the bytes of everything decoded at a multiple of the file size.
    private long _budget;

    public FlatBufferReader(ReadOnlyMemory<byte> data, string name)
    {
        Data = data;
        Name = name;
        _budget = 16L * data.Length + 65536;
    }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Name used in error messages (usually the file name).</summary>
    public string Name { get; }

    public int Length => Data.Length;

    /// <summary>A format error; the field is the part of <paramref name="what"/> before its first colon.</summary>
    public CheckpointFormatException Error(string what)
    {
        int colon = what.IndexOf(':');
        return new CheckpointFormatException(Name, colon > 0 ? what[..colon] : "flatbuffer", what);
    }

    /// <summary>The 4-character file identifier at bytes 4..7, or null when the buffer is too short.</summary>
    public string? FileIdentifier => Length < 8 ? null : Encoding.Latin1.GetString(Data.Span.Slice(4, 4));

    /// <summary>The root table, located by the uoffset at byte 0.</summary>
    public FlatBufferTable Root(string what)
    {
        if (Length < 8)
            throw Error($"file is {Length} bytes long, too short for a FlatBuffer header (8 bytes)");
        uint offset = ReadUInt32(0, "root offset");
        if (offset < 8 || offset >= Length)
            throw Error($"root offset {offset} points outside the {Length}-byte file");
        return TableAt(offset, what);
    }

    public void CheckRange(long position, long size, string what)
    {
        if (position < 0 || size < 0 || position > Length || size > Length - position)
            throw Error($"{what}: {size} bytes at offset {position} run past the end of the {Length}-byte file");
    }

    /// <summary>Charges <paramref name="bytes"/> of decoded data against the amplification budget.</summary>
    public void Consume(long bytes, string what)
    {
        _budget -= bytes;
        if (_budget < 0)
            throw Error($"{what}: the file references far more data than its size can hold (shared offsets?)");
    }

    public byte ReadByte(long position, string what)
    {
        CheckRange(position, 1, what);
        return Data.Span[(int)position];
    }

    public ushort ReadUInt16(long position, string what)
    {
        CheckRange(position, 2, what);
        return BinaryPrimitives.ReadUInt16LittleEndian(Data.Span.Slice((int)position, 2));
    }

    public uint ReadUInt32(long position, string what)
    {
        CheckRange(position, 4, what);
        return BinaryPrimitives.ReadUInt32LittleEndian(Data.Span.Slice((int)position, 4));
    }

    public int ReadInt32(long position, string what) => unchecked((int)ReadUInt32(position, what));

    public ulong ReadUInt64(long position, string what)
    {
        CheckRange(position, 8, what);
        return BinaryPrimitives.ReadUInt64LittleEndian(Data.Span.Slice((int)position, 8));
    }

    public float ReadSingle(long position, string what) => BitConverter.Int32BitsToSingle(ReadInt32(position, what));

    /// <summary>Follows the uoffset stored at <paramref name="position"/>; the target must lie inside the buffer.</summary>
    public long FollowOffset(long position, string what)
    {
        uint offset = ReadUInt32(position, what);
        if (offset == 0)
            throw Error($"{what}: offset at {position} is zero");
        long target = position + offset;
        if (target >= Length)
            throw Error($"{what}: offset {offset} at {position} points to {target}, past the end of the {Length}-byte file");
        return target;
    }

    /// <summary>The table whose start (its soffset to the vtable) is at <paramref name="position"/>.</summary>
    public FlatBufferTable TableAt(long position, string what)
    {
        Consume(TableCharge, what);
        int toVtable = ReadInt32(position, $"{what} (vtable offset)");
        long vtable = position - toVtable;
        if (vtable < 0 || vtable > Length - 4)
            throw Error($"{what}: table at {position} names a vtable at {vtable}, outside the {Length}-byte file");
        ushort vtableSize = ReadUInt16(vtable, $"{what} (vtable size)");
        ushort tableSize = ReadUInt16(vtable + 2, $"{what} (table size)");
        if (vtableSize < 4 || (vtableSize & 1) != 0)
            throw Error($"{what}: vtable at {vtable} has invalid size {vtableSize}");
        CheckRange(vtable, vtableSize, $"{what} (vtable)");
        if (tableSize < 4)
            throw Error($"{what}: table at {position} has invalid inline size {tableSize}");
        CheckRange(position, tableSize, what);
        return new FlatBufferTable(this, position, vtable, vtableSize, tableSize, what);
    }

    /// <summary>The vector whose length prefix is at <paramref name="position"/>.</summary>
    public FlatBufferVector VectorAt(long position, int elementSize, string what)
    {
        uint count = ReadUInt32(position, $"{what} (length)");
        long bytes = (long)count * elementSize;
        if (count > int.MaxValue || bytes > Length - (position + 4))
            throw Error($"{what}: vector at {position} claims {count} elements of {elementSize} bytes, but only {Math.Max(0, Length - position - 4)} bytes follow");
        return new FlatBufferVector(this, position, (int)count, elementSize, what);
    }

    public string StringAt(long position, string what)
    {
        var vector = VectorAt(position, 1, what);
        Consume(32 + 2L * vector.Count, what); // a UTF-16 string
        if (vector.ElementsStart + vector.Count >= Length || Data.Span[(int)(vector.ElementsStart + vector.Count)] != 0)
            throw Error($"{what}: string at {position} is not NUL-terminated");
        try
        {
            return StrictUtf8.GetString(vector.Bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            throw Error($"{what}: string at {position} is not valid UTF-8");
        }
    }
}
