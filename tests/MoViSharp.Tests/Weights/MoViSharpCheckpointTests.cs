using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights;

public class MoViSharpCheckpointTests
{
    [Fact]
    public void SaveAndLoadRebuildTheModelBitForBit()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0", classes: 3);
        string path = Path.Combine(Directory.CreateTempSubdirectory("ckpt").FullName, "t0.safetensors");
        MoViSharpCheckpoint.Save(path, model, ["a", "b", "c"], new Dictionary<string, string> { ["trained_by"] = "test" });
        var (loaded, labels) = MoViSharpCheckpoint.Load(path);
        Assert.Equal(["a", "b", "c"], labels);
        var saved = (MoViNetConfig)loaded.Config;
        Assert.Equal(model.Spec with { Stages = saved.Stages }, saved);
        Assert.Equal(model.Spec.Stages.SelectMany(s => s.Layers), saved.Stages.SelectMany(s => s.Layers));
        var expected = model.state_dict();
        var actual = loaded.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.Contains(expected.Keys, k => k.EndsWith("running_var"));
        foreach (var key in expected.Keys) Assert.True(expected[key].eq(actual[key]).all().item<bool>(), key);
        var clip = TestModels.Clip(3, 40);
        using var mode = inference_mode();
        Assert.True(TestModels.MaxAbsDiff(model.Logits(clip), loaded.Logits(clip)) <= 1e-6);   // same weights; threads may reorder sums
    }

    [Fact]
    public void MissingUnexpectedAndMisshapenTensorsAreAllListed()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0", classes: 3);
        string path = Path.Combine(Directory.CreateTempSubdirectory("ckpt").FullName, "t0.safetensors");
        MoViSharpCheckpoint.Save(path, model);
        using var file = SafeTensorsFile.Read(path);
        var tensors = file.Names.Where(n => n != "head.weight").ToDictionary(n => n, n => file[n]);
        tensors["stem.weight"] = zeros(1, 2);
        tensors["extra.weight"] = zeros(1);
        var error = Assert.Throws<CheckpointMismatchException>(() =>
            StrictLoader.Load(MoViNet.Create("t0", MoViNetVariant.Stream, 3), tensors, StrictLoader.SameNames(model), "t0.safetensors"));
        Assert.Equal(["head.weight"], error.Missing);
        Assert.Equal(["extra.weight"], error.Unexpected);
        Assert.Equal(["stem.weight is [1, 2], expected [8, 3, 1, 3, 3] for stem.weight"], error.ShapeMismatches);
        Assert.StartsWith("t0.safetensors does not fit the model: missing keys (1): head.weight; unexpected keys (1): extra.weight; shape mismatches (1):", error.Message);
    }

    [Fact]
    public void APlainSafetensorsFileIsRefusedWithAHint()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("ckpt").FullName, "plain.safetensors");
        using (var plain = new NamedTensors()) { plain.Add("x", zeros(2)); SafeTensorsFile.Write(path, plain); }
        var error = Assert.Throws<CheckpointFormatException>(() => MoViSharpCheckpoint.Load(path));
        Assert.Contains("not a MoViSharp checkpoint", error.Message);
    }
}
