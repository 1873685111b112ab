using System.Text.Json;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Zoo;

/// <summary>The C# filler reproduces tools/zoo/filler.py bit for bit (Fixtures/zoo/filler_sample.json).</summary>
public class DeterministicWeightsTests
{
    internal static string ZooFixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", "zoo", .. parts]);

    private static JsonElement Sample() => JsonDocument.Parse(File.ReadAllText(ZooFixture("filler_sample.json"))).RootElement;

    [Fact]
    public void VersionMatchesThePythonFiller() => Assert.Equal(DeterministicWeights.Version, Sample().GetProperty("version").GetString());

    [Fact]
    public void HashAndUniformMatchPython()
    {
        var sample = Sample();
        foreach (var p in sample.GetProperty("fnv1a64").EnumerateObject())
            Assert.Equal(p.Value.GetString(), DeterministicWeights.Fnv1a64(p.Name).ToString("x16"));
        var u = sample.GetProperty("u").GetProperty("conv1.weight").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < u.Length; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(u[i]), BitConverter.DoubleToInt64Bits(DeterministicWeights.U("conv1.weight", i)));
    }

    [Fact]
    public void TensorsMatchPythonBitForBit()
    {
        foreach (var t in Sample().GetProperty("tensors").EnumerateArray())
        {
            string name = t.GetProperty("name").GetString()!;
            long[] shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (t.GetProperty("dtype").GetString() == "int64")
            {
                using var z = DeterministicWeights.Tensor(name, shape, ScalarType.Int64);
                Assert.Equal(ScalarType.Int64, z.dtype);
                Assert.Equal(0L, z.abs().sum().item<long>());
                continue;
            }
            uint[] expected = t.GetProperty("bits").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
            float[] actual = DeterministicWeights.Fill(name, shape);
            Assert.Equal(expected, actual.Select(BitConverter.SingleToUInt32Bits).ToArray());
            using var tensor = DeterministicWeights.Tensor(name, shape);
            Assert.Equal(shape, tensor.shape);
            Assert.Equal(expected, tensor.data<float>().ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray());
        }
    }

    [Fact]
    public void InputClipMatchesPython()
    {
        var input = Sample().GetProperty("input");
        int t = input.GetProperty("t").GetInt32(), h = input.GetProperty("h").GetInt32(), w = input.GetProperty("w").GetInt32();
        uint[] expected = input.GetProperty("bits").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
        Assert.Equal(expected, DeterministicWeights.InputClip(t, h, w).Select(BitConverter.SingleToUInt32Bits).ToArray());
    }
}
