using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Formats;

public sealed class NpyFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("movisharp-npy-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string PathOf(string name) => Path.Combine(folder, name);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy", name);

    /// <summary>A .npy file with the given header text (padded by nothing) and data bytes, built by hand.</summary>
    private string WriteRaw(string name, string header, byte[] data, byte major = 1)
    {
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        var headerBytes = Encoding.Latin1.GetBytes(header);
        var length = new byte[major == 1 ? 2 : 4];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
        bytes.AddRange(length);
        bytes.AddRange(headerBytes);
        bytes.AddRange(data);
        File.WriteAllBytes(PathOf(name), bytes.ToArray());
        return PathOf(name);
    }

    private string ExpectInvalid(string path)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => NpyFile.ReadArray(path));
        Assert.StartsWith(path + ": ", e.Message);
        return e.Message;
    }

    private string ExpectUnsupported(string path)
    {
        var e = Assert.Throws<CheckpointNotSupportedException>(() => NpyFile.ReadArray(path));
        Assert.StartsWith(path + ": ", e.Message);
        return e.Message;
    }

    // ------------------------------------------------------------ known bytes

    [Fact]
    public void Npy_Header_MatchesHandBuiltBytes()
    {
        var header = NpyFile.EncodeHeader(NpyDataType.Float32, [2, 3]);
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        // numpy.save: dict, 21 - len("2") spaces of growth room, then spaces to 64-byte alignment, then '\n'.
        int padded = 128 - 10;
        var expected = new List<byte> { 0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, (byte)padded, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n"));
        Assert.Equal(expected.ToArray(), header);
        Assert.Equal(0, header.Length % 64);
    }

    [Theory]
    [InlineData(new long[0], "()")]
    [InlineData(new long[] { 5 }, "(5,)")]
    [InlineData(new long[] { 16, 64, 64, 3 }, "(16, 64, 64, 3)")]
    public void Npy_Header_IsAlignedAndEndsInNewline(long[] shape, string shapeText)
    {
        var header = NpyFile.EncodeHeader(NpyDataType.Int64, shape);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal((byte)'\n', header[^1]);
        Assert.Contains($"'shape': {shapeText}, }}", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void Npy_Write_IsByteIdenticalToNumpySave()
    {
        float[] values = [0f, 1.5f, -2.25f, 3.0e-7f, float.PositiveInfinity, -0f];
        NpyFile.Write(PathOf("ours.npy"), values, [2, 3]);
        Assert.Equal(File.ReadAllBytes(Fixture("f4_2x3.npy")), File.ReadAllBytes(PathOf("ours.npy")));
    }

    [Fact]
    public void Npy_Read_NumpyFloat32Fixture()
    {
        var (data, shape) = NpyFile.ReadFloat32(Fixture("f4_2x3.npy"));
        Assert.Equal([2L, 3L], shape);
        Assert.Equal([0f, 1.5f, -2.25f, 3.0e-7f, float.PositiveInfinity, -0f], data);
        Assert.True(float.IsNegative(data[5]));
    }

    [Fact]
    public void Npy_Read_FortranOrderIsTransposedToCOrder()
    {
        using var tensor = NpyFile.Read(Fixture("f8_fortran_2x3.npy"));
        Assert.Equal(ScalarType.Float64, tensor.dtype);
        Assert.Equal([2L, 3L], tensor.shape);
        Assert.Equal([0, 0.5, 1, 1.5, 2, 2.5], tensor.data<double>().ToArray());
    }

    [Fact]
    public void Npy_Read_FortranOrder3D()
    {
        // Fortran order of shape (2, 3, 4): element [i, j, k] sits at i + 2 j + 6 k.
        var data = new float[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    data[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
        string path = WriteRaw("f.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }\n", MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        var (read, _) = NpyFile.ReadFloat32(path);
        var expected = Enumerable.Range(0, 24).Select(n => (float)(100 * (n / 12) + 10 * (n / 4 % 3) + n % 4)).ToArray();
        Assert.Equal(expected, read);
    }

    [Fact]
    public void Npy_Read_BigEndianVersion3IsByteSwapped()
    {
        var header = NpyFile.ReadHeader(Fixture("i4_bigendian_v3.npy"));
        Assert.Equal(3, header.Version);
        Assert.True(header.BigEndian);
        using var tensor = NpyFile.Read(Fixture("i4_bigendian_v3.npy"));
        Assert.Equal(ScalarType.Int32, tensor.dtype);
        Assert.Equal([1, -2, 70000, int.MinValue], tensor.data<int>().ToArray());
    }

    [Fact]
    public void Npy_Read_Version2Header()
    {
        string path = WriteRaw("v2.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n", [7, 0, 255], major: 2);
        using var tensor = NpyFile.Read(path);
        Assert.Equal(ScalarType.Byte, tensor.dtype);
        Assert.Equal([(byte)7, (byte)0, (byte)255], tensor.data<byte>().ToArray());
    }

    // ------------------------------------------------------------ round trips

    [Fact]
    public void Npy_RoundTrip_Float32Span_BitExact()
    {
        var rng = new Random(7);
        var values = Enumerable.Range(0, 2 * 3 * 5).Select(_ => BitConverter.Int32BitsToSingle(rng.Next())).ToArray();
        values[0] = float.NaN;
        values[1] = float.Epsilon;
        NpyFile.Write(PathOf("a.npy"), values, [2, 3, 5]);
        var array = NpyFile.ReadArray(PathOf("a.npy"));
        Assert.Equal(NpyDataType.Float32, array.DataType);
        Assert.Equal([2L, 3L, 5L], array.Shape);
        Assert.Equal(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), array.Data);
        Assert.Equal(0, NpyFile.ReadHeader(PathOf("a.npy")).DataOffset % 64);
    }

    [Fact]
    public void Npy_RoundTrip_Int64Span()
    {
        long[] values = [long.MinValue, -1, 0, 1, long.MaxValue];
        NpyFile.Write(PathOf("i.npy"), values, [5]);
        using var tensor = NpyFile.Read(PathOf("i.npy"));
        Assert.Equal(ScalarType.Int64, tensor.dtype);
        Assert.Equal(values, tensor.data<long>().ToArray());
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    public void Npy_RoundTrip_Tensor_BitExact(ScalarType type)
    {
        using var source = (randn(3, 4, 5) * 50).to_type(type);
        NpyFile.Write(PathOf("t.npy"), source);
        using var read = NpyFile.Read(PathOf("t.npy"));
        Assert.Equal(type, read.dtype);
        Assert.Equal(source.shape, read.shape);
        Assert.Equal(source.bytes.ToArray(), read.bytes.ToArray());
    }

    [Fact]
    public void Npy_Write_NonContiguousTensorIsWrittenInCOrder()
    {
        using var source = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var transposed = source.t();
        NpyFile.Write(PathOf("t.npy"), transposed);
        var (data, shape) = NpyFile.ReadFloat32(PathOf("t.npy"));
        Assert.Equal([3L, 2L], shape);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], data);
        Assert.False(transposed.IsInvalid); // the caller's tensor is left alone
    }

    [Fact]
    public void Npy_RoundTrip_ScalarAndEmpty()
    {
        NpyFile.Write(PathOf("s.npy"), [4.5f], []);
        Assert.Equal([4.5f], NpyFile.ReadFloat32(PathOf("s.npy")).Data);
        NpyFile.Write(PathOf("e.npy"), ReadOnlySpan<float>.Empty, [0, 4]);
        using var empty = NpyFile.Read(PathOf("e.npy"));
        Assert.Equal([0L, 4L], empty.shape);
    }

    [Fact]
    public void Npy_Write_ReplacesAtomicallyAndLeavesNoTemporaryFiles()
    {
        NpyFile.Write(PathOf("x.npy"), [1f, 2f], [2]);
        NpyFile.Write(PathOf("x.npy"), [3f], [1]);
        Assert.Equal([3f], NpyFile.ReadFloat32(PathOf("x.npy")).Data);
        Assert.Equal(["x.npy"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Npy_Write_RejectsShapeThatDoesNotMatchData()
    {
        var e = Assert.Throws<ArgumentException>(() => NpyFile.Write(PathOf("bad.npy"), [1f, 2f, 3f], [2, 2]));
        Assert.Contains("shape (2, 2) holds 4 elements but 3 were given", e.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void Npy_Write_RejectsUnsupportedDtype()
    {
        using var half = ones(2, dtype: ScalarType.Float16);
        var e = Assert.Throws<ArgumentException>(() => NpyFile.Write(PathOf("h.npy"), half));
        Assert.Contains("cannot write a Float16 tensor", e.Message);
    }

    // ------------------------------------------------------------ hostile input

    [Fact]
    public void Npy_Hostile_WrongMagic()
    {
        File.WriteAllBytes(PathOf("png.npy"), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]);
        Assert.Contains("not a NumPy .npy file: it starts with 89 50 4E 47 0D 0A, expected 93 4E 55 4D 50 59", ExpectInvalid(PathOf("png.npy")));
    }

    [Fact]
    public void Npy_Hostile_EmptyFile()
    {
        File.WriteAllBytes(PathOf("empty.npy"), []);
        Assert.Contains("it starts with nothing (the file is empty)", ExpectInvalid(PathOf("empty.npy")));
    }

    [Fact]
    public void Npy_Hostile_TruncatedPreamble()
    {
        File.WriteAllBytes(PathOf("short.npy"), [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1]);
        Assert.Contains("only 7 bytes long", ExpectInvalid(PathOf("short.npy")));
        File.WriteAllBytes(PathOf("short2.npy"), [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 5]);
        Assert.Contains("inside the header length", ExpectInvalid(PathOf("short2.npy")));
    }

    [Fact]
    public void Npy_Hostile_UnsupportedVersion()
    {
        string path = WriteRaw("v4.npy", "{}", [], major: 4);
        Assert.Contains("unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)", ExpectUnsupported(path));
    }

    [Fact]
    public void Npy_Hostile_HeaderLengthBeyondFile()
    {
        var bytes = NpyFile.EncodeHeader(NpyDataType.Float32, [2]);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 5000);
        File.WriteAllBytes(PathOf("long.npy"), bytes);
        Assert.Contains("the header length says 5000 bytes but only 118 bytes follow it: the file is truncated", ExpectInvalid(PathOf("long.npy")));
    }

    [Fact]
    public void Npy_Hostile_HugeHeaderLengthVersion2()
    {
        var bytes = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'{' };
        File.WriteAllBytes(PathOf("huge.npy"), bytes);
        Assert.Contains("the header length says 4294967295 bytes but only 1 bytes follow it", ExpectInvalid(PathOf("huge.npy")));
    }

    [Fact]
    public void Npy_Hostile_TruncatedHeaderText()
    {
        string path = WriteRaw("cut.npy", "{'descr': '<f4', 'fortran_or", []);
        Assert.Contains("malformed header: a string in the header is not closed", ExpectInvalid(path));
    }

    [Fact]
    public void Npy_Hostile_HeaderIsNotADict()
    {
        string path = WriteRaw("list.npy", "[1, 2]\n", []);
        Assert.Contains("malformed header: the header is not a Python dict literal", ExpectInvalid(path));
        string code = WriteRaw("code.npy", "{'descr': __import__('os'), }\n", []);
        Assert.Contains("malformed header: unexpected '_'", ExpectInvalid(code));
    }

    [Theory]
    [InlineData("<c8")]
    [InlineData("<f2")]
    [InlineData("|f4")]
    [InlineData("<U10")]
    [InlineData("O")]
    public void Npy_Hostile_UnknownDescr(string descr)
    {
        string path = WriteRaw("d.npy", $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}\n", new byte[8]);
        Assert.Contains($"unsupported descr '{descr}' (supported: <f4, <f8, <i8, <i4, |u1", ExpectUnsupported(path));
    }

    [Fact]
    public void Npy_Hostile_StructuredDescr()
    {
        string path = WriteRaw("s.npy", "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", new byte[4]);
        Assert.Contains("structured dtype, which is not supported", ExpectUnsupported(path));
    }

    [Fact]
    public void Npy_Hostile_MissingKeys()
    {
        Assert.Contains("no 'descr'", ExpectInvalid(WriteRaw("a.npy", "{'fortran_order': False, 'shape': (1,), }\n", new byte[4])));
        Assert.Contains("no boolean 'fortran_order'", ExpectInvalid(WriteRaw("b.npy", "{'descr': '<f4', 'shape': (1,), }\n", new byte[4])));
        Assert.Contains("no 'shape' tuple", ExpectInvalid(WriteRaw("c.npy", "{'descr': '<f4', 'fortran_order': False, }\n", new byte[4])));
    }

    [Fact]
    public void Npy_Hostile_NegativeDimension()
    {
        string path = WriteRaw("neg.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }\n", []);
        Assert.Contains("shape has -3 as dimension 1; dimensions must be non-negative integers", ExpectInvalid(path));
    }

    [Fact]
    public void Npy_Hostile_ShapeNeedsMoreDataThanTheFileHas()
    {
        var bytes = NpyFile.EncodeHeader(NpyDataType.Float32, [1000, 1000, 1000]).Concat(new byte[96]).ToArray();
        File.WriteAllBytes(PathOf("clip.npy"), bytes);
        Assert.EndsWith("clip.npy: shape (1000, 1000, 1000) of <f4 needs 4000000000 bytes of data, the file has 96", ExpectInvalid(PathOf("clip.npy")));
    }

    [Fact]
    public void Npy_Hostile_ShapeProductOverflows()
    {
        string path = WriteRaw("over.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 9223372036854775807), }\n", new byte[16]);
        Assert.EndsWith("over.npy: the array has shape [9223372036854775807, 9223372036854775807], whose byte size overflows 64 bits.", ExpectInvalid(path));
    }

    [Fact]
    public void Npy_Hostile_IntegerTooLargeForInt64()
    {
        string path = WriteRaw("big.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }\n", []);
        Assert.Contains("the integer '99999999999999999999' in the header is malformed or too large", ExpectInvalid(path));
    }

    [Fact]
    public void Npy_Hostile_TrailingBytes()
    {
        var bytes = NpyFile.EncodeHeader(NpyDataType.Float32, [2]).Concat(new byte[12]).ToArray();
        File.WriteAllBytes(PathOf("tail.npy"), bytes);
        Assert.Contains("shape (2,) of <f4 needs 8 bytes of data, the file has 12", ExpectInvalid(PathOf("tail.npy")));
    }

    [Fact]
    public void Npy_Hostile_DuplicateKey()
    {
        string path = WriteRaw("dup.npy", "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", new byte[4]);
        Assert.Contains("the header names 'descr' twice", ExpectInvalid(path));
    }

    [Fact]
    public void Npy_Hostile_DeepNesting()
    {
        string path = WriteRaw("deep.npy", "{'x': " + new string('(', 5000) + "}\n", []);
        Assert.Contains("nests too deeply", ExpectInvalid(path));
    }

    [Fact]
    public void Npy_Hostile_MissingFileNamesThePath()
    {
        var e = Assert.Throws<FileNotFoundException>(() => NpyFile.Read(PathOf("absent.npy")));
        Assert.Contains("absent.npy", e.Message);
    }
}
