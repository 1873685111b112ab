using System.Buffers.Binary;

namespace MoViSharp.Weights.Tflite;

/// <summary>One FlatBuffer vector whose whole extent (length prefix plus elements) was checked to lie inside the buffer.</summary>
public readonly struct FlatBufferVector
{
    private readonly FlatBufferReader _reader;

    internal FlatBufferVector(FlatBufferReader reader, long lengthPosition, int count, int elementSize, string what)
    {
        _reader = reader;
        LengthPosition = lengthPosition;
        Count = count;
        ElementSize = elementSize;
        What = what;
    }

    /// <summary>Position of the uint32 length prefix.</summary>
    public long LengthPosition { get; }

    public long ElementsStart => LengthPosition + 4;

    public int Count { get; }

    public int ElementSize { get; }

    public string What { get; }

    /// <summary>The raw element bytes, without copying.</summary>
    public ReadOnlyMemory<byte> Bytes => _reader.Data.Slice((int)ElementsStart, Count * ElementSize);

    /// <summary>Element <paramref name="index"/> of a vector of tables (each element is a uoffset).</summary>
    public FlatBufferTable GetTable(int index, string what)
    {
        CheckIndex(index, 4);
        long p = ElementsStart + 4L * index;
        return _reader.TableAt(_reader.FollowOffset(p, what), what);
    }

    public int[] ToInt32Array()
    {
        CheckIndex(-1, 4);
        _reader.Consume(32 + 4L * Count, What);
        var span = Bytes.Span;
        var result = new int[Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(4 * i)..]);
        return result;
    }

    public float[] ToSingleArray()
    {
        CheckIndex(-1, 4);
        _reader.Consume(32 + 4L * Count, What);
        var span = Bytes.Span;
        var result = new float[Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]);
        return result;
    }

    public long[] ToInt64Array()
    {
        CheckIndex(-1, 8);
        _reader.Consume(32 + 8L * Count, What);
        var span = Bytes.Span;
        var result = new long[Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = BinaryPrimitives.ReadInt64LittleEndian(span[(8 * i)..]);
        return result;
    }

    private void CheckIndex(int index, int elementSize)
    {
        if (ElementSize != elementSize)
            throw new InvalidOperationException($"{What}: vector was opened with {ElementSize}-byte elements, read as {elementSize}-byte");
        if (index >= Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{What}: index {index} of {Count}");
    }
}
