using System.Buffers.Binary;
using System.Text.Json;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Formats;

/// <summary>Reads checkpoints written by real PyTorch (tools/fixtures/make_torch_fixtures.py) and compares every element's bits.</summary>
public class TorchCheckpointReaderTests
{
    internal static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", name);

    public static TheoryData<string> CheckedFixtures() =>
        new(JsonDocument.Parse(File.ReadAllText(FixturePath("expected.json"))).RootElement.EnumerateObject().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(CheckedFixtures))]
    public void Reads_pytorch_fixture_bit_exactly(string file)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(FixturePath("expected.json")));
        var tensors = expected.RootElement.GetProperty(file);
        using var read = TorchCheckpointReader.Read(FixturePath(file));

        Assert.Equal(tensors.EnumerateObject().Select(p => p.Name).ToList(), read.Names);
        foreach (var property in tensors.EnumerateObject())
        {
            var tensor = read[property.Name];
            Assert.Equal(property.Value.GetProperty("dtype").GetString(), Describe(tensor.dtype));
            Assert.Equal(property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(), tensor.shape);
            Assert.True(tensor.is_contiguous(), property.Name);
            Assert.Equal(TorchSharp.DeviceType.CPU, tensor.device_type);
            Assert.Equal(property.Value.GetProperty("bits").EnumerateArray().Select(e => e.GetUInt64()).ToArray(), Bits(tensor));
        }
    }

    [Fact]
    public void Fixture_covers_the_interesting_layouts()
    {
        // Guards the fixture itself: if the generator stops producing these cases, the bit-exact test above proves less.
        using var read = TorchCheckpointReader.Read(FixturePath("dtypes.pt"));
        Assert.Equal([3L, 2L], read["transposed"].shape);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], read["transposed"].data<float>().ToArray());
        Assert.Equal([3f, 4.5f, 6f], read["shared_a"].data<float>().ToArray());
        Assert.Equal([0f, 6f, 12f], read["strided"].data<float>().ToArray());
        Assert.Empty(read["i64_scalar"].shape);
        Assert.Equal(42L, read["i64_scalar"].item<long>());
        Assert.Equal(0, read["empty"].numel());
        Assert.Equal(ScalarType.BFloat16, read["bf16"].dtype);
        Assert.Empty(read.Metadata);

        using var module = TorchCheckpointReader.Read(FixturePath("module_state_dict.pt"));
        Assert.Equal(7L, module["1.num_batches_tracked"].item<long>());
        Assert.Equal(ScalarType.Int64, module["1.num_batches_tracked"].dtype);
    }

    [Fact]
    public void Tensors_outlive_the_callers_dispose_scope()
    {
        NamedTensors read;
        using (NewDisposeScope())
            read = TorchCheckpointReader.Read(FixturePath("wrapped_state_dict.pt"));
        using (read)
            Assert.Equal([1f, 2f], read["layer.weight"].data<float>().ToArray());
    }

    [Fact]
    public void Reads_from_bytes_and_streams_like_from_a_path()
    {
        byte[] bytes = File.ReadAllBytes(FixturePath("dtypes.pt"));
        using var fromPath = TorchCheckpointReader.Read(FixturePath("dtypes.pt"));
        using var fromBytes = TorchCheckpointReader.Read(bytes, "dtypes.pt");
        Assert.Equal(fromPath.Names, fromBytes.Names);
        foreach (var name in fromPath.Names)
            Assert.Equal(Bits(fromPath[name]), Bits(fromBytes[name]));
    }

    [Fact]
    public void TorchScript_archive_is_refused()
    {
        var e = Assert.Throws<CheckpointNotSupportedException>(() => TorchCheckpointReader.Read(FixturePath("torchscript.pt")));
        Assert.Equal("torchscript.pt: is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save instead.", e.Message);
    }

    [Fact]
    public void Converts_a_torch_checkpoint_to_safetensors_without_changing_a_bit()
    {
        using var torchFile = TorchCheckpointReader.Read(FixturePath("dtypes.pt"));
        using var again = SafeTensorsFile.Read(SafeTensorsFile.ToBytes(torchFile), "converted.safetensors");
        Assert.Equal(torchFile.Names, again.Names);
        foreach (var name in torchFile.Names)
        {
            Assert.Equal(torchFile[name].dtype, again[name].dtype);
            Assert.Equal(torchFile[name].shape, again[name].shape);
            Assert.Equal(Bits(torchFile[name]), Bits(again[name]));
        }
    }

    internal static string Describe(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32", ScalarType.Float64 => "float64", ScalarType.Float16 => "float16", ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64", ScalarType.Int32 => "int32", ScalarType.Int16 => "int16", ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8", ScalarType.Bool => "bool", _ => type.ToString(),
    };

    /// <summary>Every element's raw bits as an unsigned integer, read from the tensor's bytes independently of the library.</summary>
    internal static ulong[] Bits(Tensor tensor)
    {
        int width = (int)tensor.element_size();
        byte[] bytes = tensor.bytes.ToArray();
        var bits = new ulong[bytes.Length / width];
        for (int i = 0; i < bits.Length; i++)
        {
            var element = bytes.AsSpan(i * width, width);
            bits[i] = width switch
            {
                1 => element[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(element),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(element),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(element),
            };
        }
        return bits;
    }
}
