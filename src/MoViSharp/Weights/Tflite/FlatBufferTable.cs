namespace MoViSharp.Weights.Tflite;

/// <summary>One FlatBuffer table: field lookups go through its vtable and are checked against the table's inline size.</summary>
public readonly struct FlatBufferTable
{
    private readonly FlatBufferReader _reader;
    private readonly long _vtable;
    private readonly int _vtableSize;
    private readonly int _tableSize;

    internal FlatBufferTable(FlatBufferReader reader, long position, long vtable, int vtableSize, int tableSize, string what)
    {
        _reader = reader;
        Position = position;
        _vtable = vtable;
        _vtableSize = vtableSize;
        _tableSize = tableSize;
        What = what;
    }

    public long Position { get; }

    /// <summary>Description used in error messages, e.g. "subgraph 0 tensor 12".</summary>
    public string What { get; }

    public FlatBufferReader Reader => _reader;

    public bool Has(int field) => FieldOffset(field) != 0;

    /// <summary>Absolute position of a field's inline value, or -1 when the field is absent (default).</summary>
    public long FieldPosition(int field, int size)
    {
        int offset = FieldOffset(field);
        if (offset == 0)
            return -1;
        if (offset < 4 || offset + size > _tableSize)
            throw _reader.Error($"{What}: field {field} at table offset {offset} ({size} bytes) lies outside the table's {_tableSize} bytes");
        return Position + offset;
    }

    private int FieldOffset(int field)
    {
        if (field < 0)
            throw new ArgumentOutOfRangeException(nameof(field));
        long slot = 4 + 2L * field;
        return slot + 2 > _vtableSize ? 0 : _reader.ReadUInt16(_vtable + slot, $"{What} (vtable slot {field})");
    }

    public byte GetByte(int field, byte defaultValue = 0)
    {
        long p = FieldPosition(field, 1);
        return p < 0 ? defaultValue : _reader.ReadByte(p, What);
    }

    public sbyte GetSByte(int field, sbyte defaultValue = 0) => unchecked((sbyte)GetByte(field, unchecked((byte)defaultValue)));

    public bool GetBool(int field, bool defaultValue = false) => GetByte(field, defaultValue ? (byte)1 : (byte)0) != 0;

    public int GetInt32(int field, int defaultValue = 0)
    {
        long p = FieldPosition(field, 4);
        return p < 0 ? defaultValue : _reader.ReadInt32(p, What);
    }

    public uint GetUInt32(int field, uint defaultValue = 0)
    {
        long p = FieldPosition(field, 4);
        return p < 0 ? defaultValue : _reader.ReadUInt32(p, What);
    }

    public ulong GetUInt64(int field, ulong defaultValue = 0)
    {
        long p = FieldPosition(field, 8);
        return p < 0 ? defaultValue : _reader.ReadUInt64(p, What);
    }

    public float GetSingle(int field, float defaultValue = 0)
    {
        long p = FieldPosition(field, 4);
        return p < 0 ? defaultValue : _reader.ReadSingle(p, What);
    }

    public FlatBufferTable? GetTable(int field, string what)
    {
        long p = FieldPosition(field, 4);
        return p < 0 ? null : _reader.TableAt(_reader.FollowOffset(p, what), what);
    }

    public FlatBufferVector? GetVector(int field, int elementSize, string what)
    {
        long p = FieldPosition(field, 4);
        return p < 0 ? null : _reader.VectorAt(_reader.FollowOffset(p, what), elementSize, what);
    }

    public string? GetString(int field, string what)
    {
        long p = FieldPosition(field, 4);
        return p < 0 ? null : _reader.StringAt(_reader.FollowOffset(p, what), what);
    }

    /// <summary>Elements of an optional int vector; empty when absent.</summary>
    public int[] GetInt32Array(int field, string what) => GetVector(field, 4, what)?.ToInt32Array() ?? [];

    public float[] GetSingleArray(int field, string what) => GetVector(field, 4, what)?.ToSingleArray() ?? [];

    public long[] GetInt64Array(int field, string what) => GetVector(field, 8, what)?.ToInt64Array() ?? [];
}
