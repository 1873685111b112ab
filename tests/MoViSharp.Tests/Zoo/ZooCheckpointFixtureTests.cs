using System.Text.Json;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Zoo;

/// <summary>
/// The small real upstream-saved checkpoints in Fixtures/zoo/checkpoints (tools/zoo/make_checkpoint_fixtures.py):
/// their inputs are the deterministic clip and their tensors the deterministic weights, so a reader that
/// loads them can be checked against <see cref="DeterministicWeights"/> value for value.
/// </summary>
public class ZooCheckpointFixtureTests
{
    public static readonly string[] Fixtures =
    [
        "tv_mvit_v2_tiny", "pyv_x3d_tiny", "pyv_slowfast_tiny", "tsm_mobilenetv2_tiny",
        "tsm_r50_subset", "blvnet_tam_r50_subset", "c3d_subset",
    ];

    public static TheoryData<string> All() => new(Fixtures);

    private static JsonElement Config(string fixture) =>
        JsonDocument.Parse(File.ReadAllText(DeterministicWeightsTests.ZooFixture("checkpoints", fixture, "config.json"))).RootElement;

    [Theory]
    [MemberData(nameof(All))]
    public void ConfigNamesAnExistingCheckpointAndTheInputIsTheDeterministicClip(string fixture)
    {
        var config = Config(fixture);
        Assert.Equal(DeterministicWeights.Version, config.GetProperty("filler").GetString());
        string file = DeterministicWeightsTests.ZooFixture("checkpoints", fixture, config.GetProperty("checkpoint").GetString()!);
        Assert.Equal(config.GetProperty("checkpoint_bytes").GetInt64(), new FileInfo(file).Length);
        if (!config.TryGetProperty("input", out var input)) return;   // key subsets carry no input
        var (data, shape) = NpyFile.ReadFloat32(DeterministicWeightsTests.ZooFixture("checkpoints", fixture, "input.npy"));
        int t = input.GetProperty("T").GetInt32(), h = input.GetProperty("H").GetInt32(), w = input.GetProperty("W").GetInt32();
        Assert.Equal([t, h, w, 3], shape);
        Assert.Equal(DeterministicWeights.InputClip(t, h, w).Select(BitConverter.SingleToUInt32Bits), data.Select(BitConverter.SingleToUInt32Bits));
        var (logits, logitShape) = NpyFile.ReadFloat32(DeterministicWeightsTests.ZooFixture("checkpoints", fixture, "logits.npy"));
        Assert.Equal(2, logitShape.Length);
        Assert.Equal(config.GetProperty("logits_max_abs").GetDouble(), logits.Max(MathF.Abs), 5);
    }

    /// <summary>PyTorchVideo's hub container ({"model_state": state_dict}) reads through the same reader, unwrapped, names in order.</summary>
    [Theory]
    [InlineData("pyv_x3d_tiny")]
    [InlineData("pyv_slowfast_tiny")]
    public void PyTorchVideoModelStateHoldsTheDeterministicWeights(string fixture)
    {
        using var scope = NewDisposeScope();
        var config = Config(fixture);
        using var tensors = TorchCheckpointReader.Read(DeterministicWeightsTests.ZooFixture("checkpoints", fixture, config.GetProperty("checkpoint").GetString()!));
        var entries = config.GetProperty("state_dict").EnumerateArray().ToArray();
        Assert.Equal(entries.Select(e => e.GetProperty("key").GetString()), tensors.Names);
        foreach (var e in entries)
        {
            string key = e.GetProperty("key").GetString()!;
            long[] shape = e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            var dtype = e.GetProperty("dtype").GetString() == "int64" ? ScalarType.Int64 : ScalarType.Float32;
            Assert.True(DeterministicWeights.Tensor(key, shape, dtype).eq(tensors[key]).all().item<bool>(), key);
        }
    }

    [Fact]
    public void TorchvisionBareStateDictHoldsTheDeterministicWeights()
    {
        using var scope = NewDisposeScope();
        var config = Config("tv_mvit_v2_tiny");
        using var tensors = TorchCheckpointReader.Read(DeterministicWeightsTests.ZooFixture("checkpoints", "tv_mvit_v2_tiny", config.GetProperty("checkpoint").GetString()!));
        var entries = config.GetProperty("state_dict").EnumerateArray().ToArray();
        Assert.Equal(entries.Select(e => e.GetProperty("key").GetString()), tensors.Names);
        foreach (var e in entries)
        {
            string key = e.GetProperty("key").GetString()!;
            long[] shape = e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            var dtype = e.GetProperty("dtype").GetString() == "int64" ? ScalarType.Int64 : ScalarType.Float32;
            var expected = DeterministicWeights.Tensor(key, shape, dtype);
            Assert.Equal(shape, tensors[key].shape);
            Assert.True(expected.eq(tensors[key]).all().item<bool>(), key);
        }
    }
}
