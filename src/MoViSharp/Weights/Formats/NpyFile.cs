using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0).
/// <para>Reading accepts <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i8</c>, <c>&lt;i4</c>, <c>|u1</c> and the big-endian forms of the
/// wider types; big-endian elements are byte-swapped and <c>fortran_order: True</c> arrays are transposed, so what comes
/// back is always little-endian C order with the file's shape. Anything malformed raises <see cref="CheckpointFormatException"/>
/// whose message starts with the path and says what is wrong. The data must be exactly as long as the shape needs:
/// trailing bytes mean a damaged or concatenated file and are rejected.</para>
/// <para>Error contract (docs/fuzzing.md): reading any bytes gives an array, a <see cref="CheckpointFormatException"/> or a
/// <see cref="CheckpointNotSupportedException"/> (an unknown descr or version); shapes are checked before anything is allocated.</para>
/// <para>Writing produces what <c>numpy.save</c> does for a C-order little-endian array: version 1.0 (2.0 only when the
/// header exceeds 65535 bytes), the same header text and padding, data starting at a multiple of 64 bytes. Writes are atomic:
/// the file is written next to its destination under a temporary name and renamed into place.</para>
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Headers larger than this are refused before being read; NumPy's own writer never comes close.</summary>
    internal const int MaxHeaderLength = 1 << 20;

    /// <summary>NumPy aligns the data to this many bytes.</summary>
    private const int Alignment = 64;

    /// <summary>NumPy pads the header so the first axis can grow to this many digits in place.</summary>
    private const int GrowthAxisMaxDigits = 21;

    // ---------------------------------------------------------------- reading

    /// <summary>Reads only the header of <paramref name="path"/>.</summary>
    public static NpyHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>Reads <paramref name="path"/> without TorchSharp: little-endian C-order bytes plus shape and type.</summary>
    public static NpyArray ReadArray(string path)
    {
        using var stream = OpenRead(path);
        return ReadArray(stream, path);
    }

    /// <summary>Reads .npy bytes held in memory; <paramref name="name"/> names them in error messages.</summary>
    public static NpyArray ReadArray(byte[] bytes, string name)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return ReadArray(stream, name);
    }

    /// <summary>Reads a .npy array from the current position to the end of a seekable stream.</summary>
    public static NpyArray ReadArray(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
            throw new ArgumentException("The stream must be seekable.", nameof(stream));
        var header = ReadHeader(stream, name);
        var data = new byte[header.DataLength]; // checked against the file's length by ReadHeader
        TensorBytes.ReadExactly(stream, data, name, "data");
        if (header.BigEndian)
            SwapBytes(data, header.DataType.ElementSize());
        if (header.FortranOrder && header.Shape.Length > 1)
            data = FortranToC(data, header.Shape, header.DataType.ElementSize());
        return new NpyArray(header.DataType, header.Shape, data);
    }

    /// <summary>Reads <paramref name="path"/> as float32 (converting other element types) without TorchSharp.</summary>
    public static (float[] Data, long[] Shape) ReadFloat32(string path)
    {
        var array = ReadArray(path);
        return (array.ToFloat32(), array.Shape);
    }

    /// <summary>Reads <paramref name="path"/> into a CPU tensor of the matching dtype (float32, float64, int64, int32 or uint8).</summary>
    public static Tensor Read(string path) => ToTensor(ReadArray(path));

    /// <summary>Reads .npy bytes held in memory into a CPU tensor; <paramref name="name"/> names them in error messages.</summary>
    public static Tensor Read(byte[] bytes, string name) => ToTensor(ReadArray(bytes, name));

    private static Tensor ToTensor(NpyArray array)
    {
        var tensor = empty(array.Shape, array.DataType.ToScalarType()); // the shape passed TensorShapes in ReadHeader
        try
        {
            if (array.Data.Length > 0)
                tensor.bytes = array.Data;
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);

    private static NpyHeader ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length - stream.Position;
        Span<byte> preamble = stackalloc byte[12];
        int got = stream.ReadAtLeast(preamble[..8], 8, throwOnEndOfStream: false);
        int magicBytes = Math.Min(got, Magic.Length);
        if (got == 0 || !preamble[..magicBytes].SequenceEqual(Magic.AsSpan(0, magicBytes)))
            throw Invalid(path, "magic", $"not a NumPy .npy file: it starts with {Hex(preamble[..magicBytes])}, expected 93 4E 55 4D 50 59 (\\x93NUMPY)");
        if (got < 8)
            throw Invalid(path, "magic", $"the file is only {got} bytes long, too short for the .npy magic and version");

        byte major = preamble[6], minor = preamble[7];
        if (major is not (1 or 2 or 3) || minor != 0)
            throw new CheckpointNotSupportedException(path, "version", $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");
        int lengthSize = major == 1 ? 2 : 4;
        if (stream.ReadAtLeast(preamble.Slice(8, lengthSize), lengthSize, throwOnEndOfStream: false) < lengthSize)
            throw Invalid(path, "header length", $"the file ends after {fileLength} bytes, inside the header length");
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        long dataOffset = 8 + lengthSize + headerLength;
        if (dataOffset > fileLength)
            throw Invalid(path, "header length", $"the header length says {headerLength} bytes but only {fileLength - 8 - lengthSize} bytes follow it: the file is truncated");
        if (headerLength > MaxHeaderLength)
            throw Invalid(path, "header length", $"the header is {headerLength} bytes long, more than the {MaxHeaderLength} this reader accepts");

        var headerBytes = new byte[headerLength];
        TensorBytes.ReadExactly(stream, headerBytes, path, "header");
        // Versions 1 and 2 store the header in Latin-1, version 3 in UTF-8.
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);

        Dictionary<string, object?> dict;
        try
        {
            dict = NpyHeaderParser.ParseDict(text);
        }
        catch (FormatException e)
        {
            throw Invalid(path, "header", $"malformed header: {e.Message} (header: {Abbreviate(text)})");
        }

        var (type, bigEndian) = ParseDescr(dict, path);
        bool fortranOrder = dict.TryGetValue("fortran_order", out var fortran) && fortran is bool b
            ? b
            : throw Invalid(path, "fortran_order", "the header has no boolean 'fortran_order'");
        long[] shape = ParseShape(dict, path);

        long count = TensorShapes.CheckedElementCount(shape, type.ElementSize(), path, "the array");
        long needed = count * type.ElementSize();
        long available = fileLength - dataOffset;
        if (needed != available)
            throw Invalid(path, "data", $"shape {NpyHeader.FormatShape(shape)} of {type.Descr()} needs {needed} bytes of data, the file has {available}");
        if (needed > Array.MaxLength)
            throw new CheckpointNotSupportedException(path, "data", $"the array has {needed} bytes of data, more than the {Array.MaxLength} this reader can hold in memory");

        return new NpyHeader(major, type, bigEndian, fortranOrder, shape, dataOffset);
    }

    private static (NpyDataType Type, bool BigEndian) ParseDescr(Dictionary<string, object?> dict, string path)
    {
        if (!dict.TryGetValue("descr", out var descr))
            throw Invalid(path, "descr", "the header has no 'descr'");
        if (descr is not string text)
            throw new CheckpointNotSupportedException(path, "descr", "the header's descr is a structured dtype, which is not supported (supported: <f4, <f8, <i8, <i4, |u1 and big-endian >f4, >f8, >i8, >i4)");
        if (!NpyDataTypes.TryParseDescr(text, out var type, out bool bigEndian))
            throw new CheckpointNotSupportedException(path, "descr", $"unsupported descr '{text}' (supported: <f4, <f8, <i8, <i4, |u1 and big-endian >f4, >f8, >i8, >i4)");
        return (type, bigEndian);
    }

    private static long[] ParseShape(Dictionary<string, object?> dict, string path)
    {
        if (!dict.TryGetValue("shape", out var value) || value is not List<object?> items)
            throw Invalid(path, "shape", "the header has no 'shape' tuple");
        var shape = new long[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is not long d || d < 0)
                throw Invalid(path, "shape", $"the header's shape has {(items[i] is long n ? n.ToString(CultureInfo.InvariantCulture) : "a non-integer")} as dimension {i}; dimensions must be non-negative integers");
            shape[i] = d;
        }
        return shape;
    }

    private static void SwapBytes(Span<byte> data, int elementSize)
    {
        switch (elementSize)
        {
            case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(data), MemoryMarshal.Cast<byte, uint>(data)); break;
            case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(data), MemoryMarshal.Cast<byte, ulong>(data)); break;
        }
    }

    /// <summary>Reorders column-major elements into row-major order for the same shape.</summary>
    private static byte[] FortranToC(byte[] source, long[] shape, int elementSize)
    {
        var result = new byte[source.Length];
        long count = source.Length / elementSize;
        if (count == 0)
            return result;
        int rank = shape.Length;
        var cStrides = new long[rank];
        cStrides[rank - 1] = 1;
        for (int k = rank - 2; k >= 0; k--)
            cStrides[k] = cStrides[k + 1] * shape[k + 1];

        // Walk the source in its own (Fortran) order: the first index runs fastest.
        var index = new long[rank];
        long target = 0;
        for (long i = 0; i < count; i++)
        {
            Buffer.BlockCopy(source, (int)(i * elementSize), result, (int)(target * elementSize), elementSize);
            for (int k = 0; k < rank; k++)
            {
                index[k]++;
                target += cStrides[k];
                if (index[k] < shape[k])
                    break;
                target -= index[k] * cStrides[k];
                index[k] = 0;
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- writing

    /// <summary>Writes a float32 array of <paramref name="shape"/> (C order) to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<long> shape) =>
        WriteBytes(path, NpyDataType.Float32, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>Writes an int64 array of <paramref name="shape"/> (C order) to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<long> data, ReadOnlySpan<long> shape) =>
        WriteBytes(path, NpyDataType.Int64, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>
    /// Writes <paramref name="tensor"/> (float32, float64, int64, int32 or uint8; any device, any strides) to
    /// <paramref name="path"/> as a C-order little-endian array, atomically.
    /// </summary>
    public static void Write(string path, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var type = NpyDataTypes.FromScalarType(tensor.dtype)
            ?? throw new ArgumentException($"{path}: cannot write a {tensor.dtype} tensor to .npy (supported: Float32, Float64, Int64, Int32, Byte)", nameof(tensor));
        // contiguous() returns a new handle, so disposing it never disposes the caller's tensor.
        using var onCpu = tensor.device_type == DeviceType.CPU ? null : tensor.cpu();
        using var contiguous = (onCpu ?? tensor).contiguous();
        WriteBytes(path, type, contiguous.numel() == 0 ? [] : contiguous.bytes, contiguous.numel(), contiguous.shape);
    }

    /// <summary>The header bytes (magic through the closing newline) that <c>numpy.save</c> writes for a C-order array.</summary>
    public static byte[] EncodeHeader(NpyDataType type, ReadOnlySpan<long> shape)
    {
        var shapeArray = shape.ToArray();
        var dict = $"{{'descr': '{type.Descr()}', 'fortran_order': False, 'shape': {NpyHeader.FormatShape(shapeArray)}, }}";
        // Same spare room as numpy.save, so files compare byte for byte.
        if (shapeArray.Length > 0)
            dict += new string(' ', Math.Max(0, GrowthAxisMaxDigits - shapeArray[0].ToString(CultureInfo.InvariantCulture).Length));

        foreach (byte major in new byte[] { 1, 2 })
        {
            int lengthSize = major == 1 ? 2 : 4;
            int preambleLength = Magic.Length + 2 + lengthSize;
            int padding = Alignment - (preambleLength + dict.Length + 1) % Alignment;
            int headerLength = dict.Length + padding + 1;
            if (major == 1 && headerLength > ushort.MaxValue)
                continue;
            var bytes = new byte[preambleLength + headerLength];
            Magic.CopyTo(bytes, 0);
            bytes[6] = major;
            bytes[7] = 0;
            if (major == 1)
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLength);
            else
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLength);
            Encoding.Latin1.GetBytes(dict, bytes.AsSpan(preambleLength));
            bytes.AsSpan(preambleLength + dict.Length, padding).Fill((byte)' ');
            bytes[^1] = (byte)'\n';
            return bytes;
        }
        throw new ArgumentException("the shape is too long for a .npy header", nameof(shape));
    }

    private static void WriteBytes(string path, NpyDataType type, ReadOnlySpan<byte> data, long count, ReadOnlySpan<long> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        long expected = 1;
        foreach (long d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"{path}: shape {NpyHeader.FormatShape(shape.ToArray())} has a negative dimension", nameof(shape));
            expected = checked(expected * d);
        }
        if (expected != count)
            throw new ArgumentException($"{path}: shape {NpyHeader.FormatShape(shape.ToArray())} holds {expected} elements but {count} were given", nameof(shape));

        var header = EncodeHeader(type, shape);
        // A span cannot be captured by the lambda, so copy the (small enough to hold in memory) data once.
        var payload = data.ToArray();
        MoViSharp.IO.AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(payload);
        });
    }

    private static CheckpointFormatException Invalid(string path, string field, string problem) => new(path, field, problem);

    private static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "nothing (the file is empty)" : Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b);

    private static string Abbreviate(string text) => text.Length <= 120 ? text.TrimEnd() : text[..120] + "...";
}
