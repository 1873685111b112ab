using System.Runtime.InteropServices;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// An array read from a .npy file without TorchSharp: the element type, the shape and the elements' bytes,
/// always little-endian and in C (row-major) order whatever the file stored.
/// </summary>
public sealed class NpyArray
{
    public NpyArray(NpyDataType dataType, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        // The product is taken over the whole shape and may overflow for a shape with a zero in it; such a shape matches no data.
        long? count = TensorElementTypes.CheckedNumel(shape);
        long? bytes = count is { } n && n <= Array.MaxLength ? n * dataType.ElementSize() : null;
        if (bytes != data.Length)
            throw new ArgumentException($"shape {NpyHeader.FormatShape(shape)} of {dataType} needs {(bytes is { } b ? b.ToString() : "more than 2^31")} bytes, got {data.Length}", nameof(data));
        DataType = dataType;
        Shape = shape;
        Data = data;
    }

    public NpyDataType DataType { get; }

    public long[] Shape { get; }

    /// <summary>The elements' bytes, little-endian, C order.</summary>
    public byte[] Data { get; }

    public long ElementCount => Data.Length / DataType.ElementSize();

    /// <summary>The elements as float32; float64 and integer elements are converted (float64 rounds to nearest).</summary>
    public float[] ToFloat32() => DataType switch
    {
        NpyDataType.Float32 => MemoryMarshal.Cast<byte, float>(Data).ToArray(),
        NpyDataType.Float64 => Convert(MemoryMarshal.Cast<byte, double>(Data), v => (float)v),
        NpyDataType.Int64 => Convert(MemoryMarshal.Cast<byte, long>(Data), v => (float)v),
        NpyDataType.Int32 => Convert(MemoryMarshal.Cast<byte, int>(Data), v => (float)v),
        NpyDataType.UInt8 => Convert<byte>(Data, v => v),
        _ => throw new InvalidOperationException($"unknown data type {DataType}"),
    };

    private static float[] Convert<T>(ReadOnlySpan<T> source, Func<T, float> convert)
    {
        var result = new float[source.Length];
        for (int i = 0; i < source.Length; i++)
            result[i] = convert(source[i]);
        return result;
    }
}
