using Google.Protobuf;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Graph;

/// <summary>The data of a graph constant (an initializer), kept typed until the model is written so passes can read and rewrite it.</summary>
public sealed class OnnxConstant
{
    public DataType Type { get; }
    public long[] Dims { get; }
    public float[]? Floats { get; }
    public long[]? Longs { get; }
    public int[]? Ints { get; }
    public byte[]? Bytes { get; }

    private OnnxConstant(DataType type, long[] dims, float[]? floats = null, long[]? longs = null, int[]? ints = null, byte[]? bytes = null)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        long actual = floats?.Length ?? longs?.Length ?? ints?.Length ?? bytes?.Length ?? -1;
        if (actual != count) throw new ArgumentException($"A constant of shape [{string.Join(", ", dims)}] needs {count} values, got {actual}.");
        (Type, Dims, Floats, Longs, Ints, Bytes) = (type, dims, floats, longs, ints, bytes);
    }

    public static OnnxConstant Float(float[] values, long[] dims) => new(DataType.Float, dims, floats: values);
    public static OnnxConstant Int64(long[] values, long[] dims) => new(DataType.Int64, dims, longs: values);
    public static OnnxConstant Int32(int[] values, long[] dims) => new(DataType.Int32, dims, ints: values);
    /// <summary>8-bit data: <paramref name="type"/> is Int8 or Uint8 (the bytes are the values' two's-complement or unsigned bits).</summary>
    public static OnnxConstant Byte(DataType type, byte[] values, long[] dims) =>
        type is DataType.Int8 or DataType.Uint8 ? new(type, dims, bytes: values) : throw new ArgumentException("8-bit constants are int8 or uint8.");

    public long Count => Dims.Aggregate(1L, (a, b) => a * b);

    internal OnnxProto.TensorProto ToProto(string name)
    {
        var proto = new OnnxProto.TensorProto { Name = name, DataType = (int)Type };
        proto.Dims.AddRange(Dims);
        byte[] raw = Type switch
        {
            DataType.Float => AsBytes(Floats!),
            DataType.Int64 => AsBytes(Longs!),
            DataType.Int32 => AsBytes(Ints!),
            _ => Bytes!,
        };
        // ONNX stores raw data little-endian, as this machine does.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian machine.");
        proto.RawData = ByteString.CopyFrom(raw);
        return proto;
    }

    private static byte[] AsBytes<T>(T[] values) where T : unmanaged
    {
        var span = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        return span.ToArray();
    }
}
