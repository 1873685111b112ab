using System.Text.Json;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MViT;
using MoViSharp.Tests.Cli;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.MViT;

/// <summary>`info`, `predict`, `convert`, `train` and `eval` on MViTs, with the tiny torchvision-saved MViT-v2 as the upstream file.</summary>
public class MViTCliTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("mvit-cli").FullName;

    private static string WriteTinyConfig(string dir)
    {
        string path = Path.Combine(dir, "tiny.json");
        File.WriteAllText(path, MViTTestData.TinyConfigJson());
        return path;
    }

    [Theory]
    [InlineData("mvit_v1_b")]
    [InlineData("mvit_v2_s")]
    public void InfoReportsTheUpstreamParametersAndMultiplyAdds(string name)
    {
        var info = CliRunner.Run("info", name, "--json");
        Assert.True(info.ExitCode == 0, info.Stderr);
        using var json = JsonDocument.Parse(info.Stdout);
        var r = json.RootElement;
        var manifest = Zoo.ZooManifestTests.Manifest(name);
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), r.GetProperty("params").GetInt64());
        Assert.Equal(manifest.GetProperty("macs_default").GetInt64(), r.GetProperty("macs").GetInt64());
        Assert.Equal((16, 224), (r.GetProperty("frames").GetInt32(), r.GetProperty("size").GetInt32()));
        Assert.False(r.GetProperty("streamable").GetBoolean());
        Assert.Equal(0, r.GetProperty("receptive_field").GetInt32());               // unbounded: the whole clip
    }

    [Fact]
    public void PredictOnTheTorchvisionFileReproducesTheUpstreamLogits()
    {
        string dir = TempDir(), config = WriteTinyConfig(dir), output = Path.Combine(dir, "logits.npy");
        var run = CliRunner.Run("predict", "--config", config, "--weights", MViTTestData.TinyCheckpoint(),
            "--input", MViTTestData.Tiny("input.npy"), "--output", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var scope = NewDisposeScope();
        var (_, expected) = MViTTestData.TinyInputAndLogits();
        var logits = NpyFile.Read(output);
        Assert.Equal(new long[] { 1, 5 }, logits.shape);
        Assert.True(TestModels.MaxAbsDiff(logits, expected) <= MViTTestData.Tolerance(expected.data<float>().ToArray()));
    }

    [Fact]
    public void ConvertToMoViSharpAndBackToTheTorchvisionLayoutIsBitExact()
    {
        string dir = TempDir(), config = WriteTinyConfig(dir);
        string ours = Path.Combine(dir, "tiny.safetensors"), back = Path.Combine(dir, "back.safetensors"), logitsPath = Path.Combine(dir, "logits.npy");
        var toOurs = CliRunner.Run("convert", "--from", MViTTestData.TinyCheckpoint(), "--config", config, "--to", ours);
        Assert.True(toOurs.ExitCode == 0, toOurs.Stderr);
        var toUpstream = CliRunner.Run("convert", "--from", ours, "--to", back, "--layout", "torchvision");
        Assert.True(toUpstream.ExitCode == 0, toUpstream.Stderr);

        using var scope = NewDisposeScope();
        using var original = TorchCheckpointReader.Read(MViTTestData.TinyCheckpoint());
        using var roundTrip = SafeTensorsFile.Read(back);
        Assert.Equal(original.Names, roundTrip.Names);
        foreach (var name in original.Names)
        {
            Assert.Equal(original[name].shape, roundTrip[name].shape);
            Assert.True(original[name].eq(roundTrip[name]).all().item<bool>(), name);
        }

        // The MoViSharp checkpoint describes itself: no --config needed to run it.
        var predict = CliRunner.Run("predict", "--weights", ours, "--input", MViTTestData.Tiny("input.npy"), "--output", logitsPath);
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        var (_, expected) = MViTTestData.TinyInputAndLogits();
        Assert.True(TestModels.MaxAbsDiff(NpyFile.Read(logitsPath), expected) <= MViTTestData.Tolerance(expected.data<float>().ToArray()));
    }

    [Fact]
    public void TrainFineTunesTheHeadOfTheTorchvisionFileAndEvalScoresIt()
    {
        string dir = TempDir(), config = WriteTinyConfig(dir), data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
        SyntheticDatasetWriter.Write(data, perClass: 1, seed: 3, frames: 4, size: 32);
        var train = CliRunner.Run("train", "--data", data, "--init", MViTTestData.TinyCheckpoint(), "--config", config,
            "--freeze-backbone", "--frames", "4", "--size", "32", "--epochs", "1", "--batch", "8", "--threads", "2", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);

        using var scope = NewDisposeScope();
        var (tuned, labels) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        using (tuned)
        {
            Assert.Equal(SyntheticActionClasses.Names, labels);
            Assert.Equal(SyntheticActionClasses.Names.Count, tuned.NumClasses);
            using var upstream = TorchCheckpointReader.Read(MViTTestData.TinyCheckpoint());
            using var exported = new TorchvisionLayout().Export(tuned);
            foreach (var name in upstream.Names.Where(n => !n.StartsWith("head.", StringComparison.Ordinal)))
                Assert.True(upstream[name].eq(exported[name]).all().item<bool>(), $"{name} changed with a frozen backbone");
        }

        var eval = CliRunner.Run("eval", "--data", data, "--weights", Path.Combine(run, "model.safetensors"), "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var json = JsonDocument.Parse(eval.Stdout);
        Assert.Equal(SyntheticActionClasses.Names.Count, json.RootElement.GetProperty("clips").GetInt32());
    }
}
