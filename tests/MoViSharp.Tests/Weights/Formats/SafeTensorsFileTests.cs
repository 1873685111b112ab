using MoViSharp.Weights;
using MoViSharp.IO;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Formats;

public class SafeTensorsFileTests
{
    /// <summary>A tensor whose bytes are exactly <paramref name="bytes"/>, built without the code under test.</summary>
    private static Tensor Raw(ScalarType type, long[] shape, byte[] bytes)
    {
        var tensor = zeros(shape, type);
        bytes.CopyTo(tensor.bytes);
        return tensor;
    }

    private static byte[] Le16(params ushort[] v) => v.SelectMany(x => { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, x); return b; }).ToArray();
    private static byte[] Le32(params uint[] v) => v.SelectMany(x => { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, x); return b; }).ToArray();
    private static byte[] Le64(params ulong[] v) => v.SelectMany(x => { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, x); return b; }).ToArray();

    /// <summary>One tensor of every supported dtype, with awkward bit patterns: NaN payloads, signalling NaNs, -0, subnormals, extremes.</summary>
    private static NamedTensors EveryDtype()
    {
        var tensors = new NamedTensors(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode & <json> \"quotes\"" });
        tensors.Add("f32", Raw(ScalarType.Float32, [2, 3], Le32(0x7FC00001, 0x7F800001, 0xFFFFFFFF, 0x80000000, 0x00000001, 0x3F800000)));
        tensors.Add("f16", Raw(ScalarType.Float16, [4], Le16(0x7E01, 0x7C01, 0x8000, 0x0001)));
        tensors.Add("bf16", Raw(ScalarType.BFloat16, [2, 2], Le16(0x7FC1, 0xFF81, 0x8000, 0x3F80)));
        tensors.Add("f64", Raw(ScalarType.Float64, [2], Le64(0x7FF8000000000123, 0x8000000000000000)));
        tensors.Add("i64", Raw(ScalarType.Int64, [3], Le64(0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF)));
        tensors.Add("i32", Raw(ScalarType.Int32, [1, 2], Le32(0x80000000, 0x7FFFFFFF)));
        tensors.Add("i16", Raw(ScalarType.Int16, [2], Le16(0x8000, 0x7FFF)));
        tensors.Add("i8", Raw(ScalarType.Int8, [3], [0x80, 0x7F, 0xFF]));
        tensors.Add("u8", Raw(ScalarType.Byte, [2, 1, 2], [0, 255, 1, 128]));
        tensors.Add("bool", Raw(ScalarType.Bool, [3], [1, 0, 1]));
        tensors.Add("scalar", Raw(ScalarType.Float32, [], Le32(0xC0490FDB)));
        tensors.Add("empty", Raw(ScalarType.Float16, [0, 4], []));
        return tensors;
    }

    private static void AssertSame(NamedTensors expected, NamedTensors actual)
    {
        Assert.Equal(expected.Names, actual.Names);
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key), actual.Metadata.OrderBy(p => p.Key));
        foreach (var name in expected.Names)
        {
            Assert.Equal(expected[name].dtype, actual[name].dtype);
            Assert.Equal(expected[name].shape, actual[name].shape);
            Assert.Equal(expected[name].bytes.ToArray(), actual[name].bytes.ToArray());
            Assert.True(actual[name].is_contiguous());
        }
    }

    [Fact]
    public void Round_trips_every_dtype_bit_for_bit()
    {
        using var original = EveryDtype();
        byte[] file = SafeTensorsFile.ToBytes(original);
        using var read = SafeTensorsFile.Read(file, "all.safetensors");
        AssertSame(original, read);
        Assert.Equal(file, SafeTensorsFile.ToBytes(read)); // writing what was read gives the same file
    }

    [Fact]
    public void Round_trips_through_a_file_atomically()
    {
        string folder = Directory.CreateTempSubdirectory("movisharp-st-").FullName;
        try
        {
            string path = Path.Combine(folder, "w.safetensors");
            File.WriteAllText(path, "old content");
            using var original = EveryDtype();
            SafeTensorsFile.Write(path, original);
            using (var read = SafeTensorsFile.Read(path))
                AssertSame(original, read);
            using (var stream = File.OpenRead(path))
            using (var fromStream = SafeTensorsFile.Read(stream, "w.safetensors"))
                AssertSame(original, fromStream);
            Assert.Equal(["w.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Failed_writes_leave_the_old_file_and_no_temporary_file()
    {
        string folder = Directory.CreateTempSubdirectory("movisharp-st-").FullName;
        try
        {
            string path = Path.Combine(folder, "w.safetensors");
            File.WriteAllText(path, "old content");
            using var complex = new NamedTensors();
            complex.Add("c", zeros([2], ScalarType.ComplexFloat32));
            var e = Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, complex));
            Assert.Contains("Tensor 'c' has dtype ComplexFloat32", e.Message);

            Assert.Throws<IOException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new IOException("disk full"); }));
            Assert.Equal("old content", File.ReadAllText(path));
            Assert.Equal(["w.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Written_header_matches_the_specification_when_checked_by_hand()
    {
        using var original = EveryDtype();
        byte[] file = SafeTensorsFile.ToBytes(original);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, (8 + n) % 8);
        string header = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.StartsWith("{\"__metadata__\":{", header);
        Assert.Matches(@"^\{.*\} *$", header);
        Assert.True(header.Length - header.TrimEnd(' ').Length < 8, "at most 7 padding spaces");

        using var json = JsonDocument.Parse(header);
        var properties = json.RootElement.EnumerateObject().ToList();
        Assert.Equal("__metadata__", properties[0].Name);
        Assert.Equal("ünïcode & <json> \"quotes\"", properties[0].Value.GetProperty("note").GetString());
        Assert.Equal(["__metadata__", .. original.Names], properties.Select(p => p.Name));

        var expectedDtypes = new Dictionary<string, string>
        {
            ["f32"] = "F32", ["f16"] = "F16", ["bf16"] = "BF16", ["f64"] = "F64", ["i64"] = "I64", ["i32"] = "I32",
            ["i16"] = "I16", ["i8"] = "I8", ["u8"] = "U8", ["bool"] = "BOOL", ["scalar"] = "F32", ["empty"] = "F16",
        };
        long dataStart = 8 + (long)n, cursor = 0;
        foreach (var p in properties.Skip(1))
        {
            Assert.Equal(expectedDtypes[p.Name], p.Value.GetProperty("dtype").GetString());
            Assert.Equal(original[p.Name].shape, p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(cursor, offsets[0]);                       // back to back, insertion order
            byte[] expectedBytes = original[p.Name].bytes.ToArray();
            Assert.Equal(expectedBytes.Length, offsets[1] - offsets[0]);
            Assert.Equal(expectedBytes, file[(int)(dataStart + offsets[0])..(int)(dataStart + offsets[1])]);
            cursor = offsets[1];
        }
        Assert.Equal(file.Length, dataStart + cursor);
    }

    [Fact]
    public void Reads_tensors_in_data_order_whatever_the_json_order()
    {
        byte[] file = Build("{\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", [7, 9]);
        using var read = SafeTensorsFile.Read(file, "x.safetensors");
        Assert.Equal(["a", "b"], read.Names);
        Assert.Equal(7, read["a"].item<byte>());
        Assert.Empty(read.Metadata);
    }

    /// <summary>A safetensors file with the given header text and data bytes (no padding, as other writers may do).</summary>
    private static byte[] Build(string header, byte[] data, ulong? declaredLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        return [.. Le64(declaredLength ?? (ulong)json.Length), .. json, .. data];
    }

    private static string Refuse(byte[] file) =>
        Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(file, "bad.safetensors").Dispose()).Message;

    private const string OneF32 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    [Fact]
    public void Hostile_lengths_are_refused()
    {
        Assert.Equal("bad.safetensors: 4 bytes is too short for a safetensors file (at least 8 needed).", Refuse([1, 2, 3, 4]));
        Assert.Equal("bad.safetensors: header length 1000 is larger than the 62 bytes that follow it.", Refuse(Build(OneF32, new byte[8], 1000)));
        Assert.Equal("bad.safetensors: header length 18446744073709551615 exceeds the limit of 100000000 bytes.",
            Refuse(Build(OneF32, new byte[8], ulong.MaxValue)));
        Assert.Equal("bad.safetensors: header length 100000001 exceeds the limit of 100000000 bytes.", Refuse(Build(OneF32, new byte[8], 100_000_001)));
        Assert.Equal("bad.safetensors: tensor 'w' ends at byte 8, beyond the data section of 7 bytes.", Refuse(Build(OneF32, new byte[7])));
        Assert.Equal("bad.safetensors: the tensors cover 8 bytes, but the data section has 9.", Refuse(Build(OneF32, new byte[9])));
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3,
        "tensor 'b' at bytes [1, 3) overlaps the previous tensor, which ends at 2.")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2,
        "tensor 'b' at bytes [0, 2) overlaps the previous tensor, which ends at 2.")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3, "tensor 'a' starts at byte 1, leaving the bytes [0, 1) unused.")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
        "tensor 'a' of float32 [2] needs 8 bytes, but data_offsets [0, 4] span 4.")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has a negative dimension in shape [-2].")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8,
        "tensor 'a' has shape [4294967296, 4294967296], whose byte size overflows 64 bits.")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8,
        "tensor 'a' has 'shape' value 99999999999999999999, which is not a 64-bit integer.")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has 'shape' value 2.5, which is not a 64-bit integer.")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "tensor 'a' has invalid data_offsets [8, 0] (need 0 ≤ begin ≤ end).")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8, "tensor 'a' has invalid data_offsets [-8, 0] (need 0 ≤ begin ≤ end).")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", 8, "tensor 'a' has 3 data_offsets; expected [begin, end].")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no string 'dtype'.")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no array 'shape'.")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8],\"extra\":1}}", 8, "tensor 'a' has an unexpected or repeated field 'extra'.")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,8]}}", 8,
        "the header names 'a' twice.")]
    [InlineData("{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8,
        "__metadata__ entry 'k' is a JSON Number, not a string.")]
    [InlineData("[1,2]", 0, "the header is a JSON Array, not an object.")]
    [InlineData("{\"a\":[[[[[[1]]]]]]}", 0, "the header is not valid JSON:")]
    [InlineData("{\"a\":", 0, "the header is not valid JSON:")]
    public void Hostile_headers_are_refused(string header, int dataBytes, string problem)
    {
        Assert.StartsWith($"bad.safetensors: {problem}", Refuse(Build(header, new byte[dataBytes])));
    }

    [Fact]
    public void Unsupported_dtype_is_not_supported_rather_than_malformed()
    {
        var e = Assert.Throws<CheckpointNotSupportedException>(() =>
            SafeTensorsFile.Read(Build("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]), "bad.safetensors").Dispose());
        Assert.Equal("bad.safetensors: tensor 'a' has the unsupported dtype 'C64' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).", e.Message);
        Assert.Equal("tensor 'a'", e.Field);
    }

    [Fact]
    public void A_zero_sized_shape_whose_other_sizes_overflow_is_refused_before_libtorch()
    {
        // 0 elements, but libtorch multiplies the other sizes too and would fail natively.
        Assert.Equal("bad.safetensors: tensor 'a' has shape [0, 4611686018427387904, 4611686018427387904], whose byte size overflows 64 bits.",
            Refuse(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,4611686018427387904,4611686018427387904],\"data_offsets\":[0,0]}}", [])));
    }

    [Fact]
    public void Header_that_is_not_utf8_is_refused()
    {
        byte[] json = [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        Assert.Equal("bad.safetensors: the header is not valid UTF-8.", Refuse([.. Le64((ulong)json.Length), .. json]));
    }

    [Fact]
    public void Random_corruption_never_escapes_the_error_contract()
    {
        using var original = EveryDtype();
        byte[] file = SafeTensorsFile.ToBytes(original);
        var random = new Random(99);
        for (int round = 0; round < 400; round++)
        {
            byte[] candidate = (byte[])file.Clone();
            int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
            for (int k = 0; k < 1 + round % 3; k++)
                candidate[random.Next(round % 2 == 0 ? headerEnd : candidate.Length)] = (byte)random.Next(256);
            if (round % 5 == 0)
                candidate = candidate[..random.Next(candidate.Length)];
            try
            {
                SafeTensorsFile.Read(candidate, "fuzz.safetensors").Dispose();
            }
            catch (Exception e) when (e is CheckpointFormatException or CheckpointNotSupportedException)
            {
                Assert.StartsWith("fuzz.safetensors: ", e.Message);
            }
        }
    }

    [Fact]
    public void Writer_refuses_a_tensor_named_like_the_metadata_key()
    {
        using var tensors = new NamedTensors();
        tensors.Add("__metadata__", zeros(1));
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.ToBytes(tensors));
    }
}
