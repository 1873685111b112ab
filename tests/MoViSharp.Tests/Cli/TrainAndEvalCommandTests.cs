using System.Text.Json;
using MoViSharp.Data.Synthetic;
using MoViSharp.Weights;

namespace MoViSharp.Tests.Cli;

/// <summary>The training commands end to end on a tiny synthetic set and a tiny causal model (seconds, not minutes).</summary>
public class TrainAndEvalCommandTests
{
    private const string TinyStream = """
        {"name":"tiny","variant":"stream","stem":4,"conv_type":"3d_2plus1d",
         "stages":[{"out":8,"stride":2,"layers":[[8,3,3]]},{"out":8,"stride":2,"layers":[[16,3,3]]}],
         "head":16,"hidden":16,"classes":15}
        """;

    [Fact]
    public void TrainWritesCheckpointsMetricsAndPlotsAndEvalScoresThem()
    {
        string root = Directory.CreateTempSubdirectory("train").FullName;
        string data = Path.Combine(root, "data"), run = Path.Combine(root, "run"), pair = Path.Combine(root, "pair"), config = Path.Combine(root, "tiny.json");
        File.WriteAllText(config, TinyStream);
        SyntheticDatasetWriter.Write(data, perClass: 1, seed: 4, frames: 4, size: 16);

        var train = CliRunner.Run("train", "--data", data, "--config", config, "--frames", "4", "--size", "16", "--epochs", "2",
            "--batch", "8", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        foreach (var file in new[] { "model.safetensors", "metrics.csv", "metrics.png", "command.txt", "epoch_002.safetensors" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);          // header + 2 epochs
        var (model, labels) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        Assert.Equal(SyntheticActionClasses.Names, labels);
        Assert.Equal((4, 16), (model.Config.Preprocessing.Frames, model.Config.Preprocessing.Size));
        model.Dispose();

        var eval = CliRunner.Run("eval", "--data", data, "--weights", Path.Combine(run, "model.safetensors"), "--json", "--out", Path.Combine(root, "eval"));
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using (var json = JsonDocument.Parse(eval.Stdout))
        {
            var r = json.RootElement;
            Assert.Equal(15, r.GetProperty("clips").GetInt32());
            Assert.InRange(r.GetProperty("top1").GetDouble(), 0, 1);
            Assert.True(r.GetProperty("top5").GetDouble() >= r.GetProperty("top1").GetDouble());
            Assert.Equal(15, r.GetProperty("per_class").EnumerateObject().Count());
            Assert.Equal(4, r.GetProperty("accuracy_vs_frames").GetArrayLength());
        }
        Assert.True(File.Exists(Path.Combine(root, "eval", "confusion.png")));

        var trainPair = CliRunner.Run("train", "--data", data, "--config", config, "--frames", "4", "--size", "16", "--epochs", "1",
            "--batch", "8", "--out", pair, "--ensemble-pair");
        Assert.True(trainPair.ExitCode == 0, trainPair.Stderr);
        var ensemble = CliRunner.Run("eval", "--data", data, "--ensemble", Path.Combine(pair, "even", "model.safetensors"),
            Path.Combine(pair, "odd", "model.safetensors"), "--json");
        Assert.True(ensemble.ExitCode == 0, ensemble.Stderr);
        using var ensembleJson = JsonDocument.Parse(ensemble.Stdout);
        Assert.Equal(15, ensembleJson.RootElement.GetProperty("clips").GetInt32());
    }

    [Fact]
    public void TrainWithoutDataFailsClearly()
    {
        var r = CliRunner.Run("train", "--data", "/no/such/folder", "--out", Path.Combine(Path.GetTempPath(), "never"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/no/such/folder", r.Stderr);
    }
}
