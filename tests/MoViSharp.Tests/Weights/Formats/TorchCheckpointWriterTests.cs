using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Formats;

/// <summary>Our torch.save writer against our reader: every dtype, scalars, empty tensors and wrapped dicts come back bit for bit.</summary>
public class TorchCheckpointWriterTests
{
    private static NamedTensors Sample()
    {
        var tensors = new NamedTensors();
        var generator = new Generator(3);
        tensors.Add("conv.weight", randn([4, 3, 3, 3, 3], generator: generator));
        tensors.Add("bn.num_batches_tracked", tensor(123456789012L));                          // a 0-d int64, as BatchNorm saves it
        tensors.Add("half", randn([5, 2], generator: generator).to(ScalarType.Float16));
        tensors.Add("mask", tensor(new[] { true, false, true }));
        tensors.Add("bytes", arange(0, 200, dtype: ScalarType.Int32).to(ScalarType.Byte));
        tensors.Add("empty", zeros([0, 7]));
        tensors.Add("wide", full([3], 3_000_000_000L, dtype: ScalarType.Int64));
        return tensors;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("model_state")]
    public void WhatIsWrittenReadsBackBitForBitInOrder(string? wrapKey)
    {
        using var scope = NewDisposeScope();
        using var original = Sample();
        string path = Path.Combine(Directory.CreateTempSubdirectory("torch-writer").FullName, "sample.pth");
        TorchCheckpointWriter.Write(path, original, wrapKey);
        using var read = TorchCheckpointReader.Read(path);
        Assert.Equal(original.Names, read.Names);
        foreach (var name in original.Names)
        {
            Assert.Equal(original[name].dtype, read[name].dtype);
            Assert.Equal(original[name].shape, read[name].shape);
            Assert.True(original[name].numel() == 0 || original[name].eq(read[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void AnUnsupportedDtypeIsRefusedBeforeTheFileIsTouched()
    {
        using var scope = NewDisposeScope();
        using var tensors = new NamedTensors();
        tensors.Add("complex", zeros([2], dtype: ScalarType.ComplexFloat32));
        string path = Path.Combine(Directory.CreateTempSubdirectory("torch-writer").FullName, "bad.pth");
        var error = Assert.Throws<ArgumentException>(() => TorchCheckpointWriter.Write(path, tensors));
        Assert.StartsWith("Tensor 'complex' has dtype ComplexFloat32", error.Message);
        Assert.False(File.Exists(path));
    }
}
