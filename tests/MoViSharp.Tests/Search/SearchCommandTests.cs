using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Models;
using MoViSharp.Search;
using MoViSharp.Tests.Cli;
using MoViSharp.Weights;

namespace MoViSharp.Tests.Search;

[Collection(SeededTorchCollection.Name)]
public sealed class SearchCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("movisharp-search-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Search_space_prints_the_space_and_published_points()
    {
        var space = CliRunner.Run("search-space");
        Assert.Equal(0, space.ExitCode);
        Assert.Equal(MoViNetSearchSpace.Default.ToJsonText(), space.Stdout.Trim());
        var a0 = CliRunner.Run("search-space", "--published", "a0", "--variant", "stream");
        Assert.Equal(0, a0.ExitCode);
        var point = MoViNetArchitecture.FromJson(JsonNode.Parse(a0.Stdout), "stdout");
        Assert.True(point.Causal);
        Assert.Equal(8, point.Stem);
        var a5 = CliRunner.Run("search-space", "--published", "a5");
        Assert.NotEqual(0, a5.ExitCode);
        Assert.Contains("depth 18", a5.Stderr);
    }

    [Fact]
    public void Search_writes_its_log_plot_and_best_model_and_refuses_what_it_cannot_do()
    {
        string data = Path.Combine(root, "data"), spaceFile = Path.Combine(root, "space.json"), output = Path.Combine(root, "out");
        SyntheticDatasetWriter.Write(data, perClass: 5, seed: 2, frames: 4, size: 16);
        File.WriteAllText(spaceFile, (SearchTestSpaces.Tiny with { Causal = [true], DepthMax = 1, Frames = [2], Resolutions = [16] }).ToJsonText());
        string[] common = ["search", "--space", spaceFile, "--data", data, "--cost", "macs", "--target-mmacs", "100", "--evaluations", "1",
            "--population", "1", "--tournament", "1", "--batch", "4", "--out", output];

        var unknown = CliRunner.Run([.. common, "--algo", "random"]);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("--algo must be", unknown.Stderr);
        var badDepthwise = CliRunner.Run("search", "--space", spaceFile, "--data", data, "--cost", "latency", "--target-ms", "5", "--depthwise", "gpu", "--out", output);
        Assert.NotEqual(0, badDepthwise.ExitCode);
        Assert.Contains("--depthwise must be measured, simd or torch, not 'gpu'.", badDepthwise.Stderr);
        var noTarget = CliRunner.Run("search", "--space", spaceFile, "--data", data, "--cost", "macs", "--out", output);
        Assert.NotEqual(0, noTarget.ExitCode);
        Assert.Contains("--target-mmacs", noTarget.Stderr);

        var run = CliRunner.Run(common);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("[1/1] #0 random", run.Stderr);
        foreach (var file in new[] { "state.json", "search-log.csv", "search-log.json", "pareto.png", "command.txt", "best/config.json", "best/architecture.json", "best/model.safetensors" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "search-log.csv")).Length);
        var (model, labels) = MoViSharpCheckpoint.Load(Path.Combine(output, "best", "model.safetensors"));
        using (model) Assert.Equal(15, labels!.Count);

        // The same command again: the finished state is resumed, nothing is retrained.
        var again = CliRunner.Run(common);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Resuming", again.Stderr);
        Assert.DoesNotContain("[1/1]", again.Stderr);
        var other = CliRunner.Run([.. common.Select(a => a == "100" ? "50" : a)]);
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("another search", other.Stderr);
    }

    [Fact]
    public void Search_space_prints_the_TVN_space_and_published_TVNs()
    {
        var space = CliRunner.Run("search-space", "--space", "tvn");
        Assert.Equal(0, space.ExitCode);
        Assert.Equal(TvnSearchSpace.Default.ToJsonText(), space.Stdout.Trim());
        var tvn1 = CliRunner.Run("search-space", "--space", "tvn", "--published", "tvn1");
        Assert.True(tvn1.ExitCode == 0, tvn1.Stderr);
        Assert.Equal(TvnSearchSpace.Default.FromConfig(TvnSpecs.Get("tvn1")).Point, TvnArchitecture.FromJson(JsonNode.Parse(tvn1.Stdout), "stdout"));
        var sample = CliRunner.Run("search-space", "--space", "tvn", "--sample", "2");
        Assert.Equal(2, sample.Stdout.Trim().Split('\n').Select(l => TvnArchitecture.FromJson(JsonNode.Parse(l), "stdout")).Count(TvnSearchSpace.Default.Contains));
        var a0 = CliRunner.Run("search-space", "--space", "tvn", "--published", "a0");
        Assert.NotEqual(0, a0.ExitCode);
        Assert.Contains("not a published TVN", a0.Stderr);
    }

    [Fact]
    public void A_TVN_search_runs_from_its_space_file_and_its_best_config_loads_with_info()
    {
        string data = Path.Combine(root, "data"), spaceFile = Path.Combine(root, "tvn-space.json"), output = Path.Combine(root, "tvn");
        SyntheticDatasetWriter.Write(data, perClass: 5, seed: 2, frames: 4, size: 16);
        File.WriteAllText(spaceFile, (SearchTestSpaces.TinyTvn with { Frames = [2], ImageSizes = [16] }).ToJsonText());
        string[] common = ["search", "--space", spaceFile, "--data", data, "--cost", "macs", "--target-mmacs", "1000", "--evaluations", "2",
            "--population", "2", "--tournament", "1", "--batch", "4", "--out", output];

        var run = CliRunner.Run(common);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("evolution over 'tiny-tvn'", run.Stderr);
        foreach (var file in new[] { "state.json", "search-log.csv", "search-log.json", "pareto.png", "best/config.json", "best/architecture.json", "best/model.safetensors" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.Equal("tvn", JsonNode.Parse(File.ReadAllText(Path.Combine(output, "search-log.json")))!["space_kind"]!.GetValue<string>());
        var best = TvnArchitecture.FromJson(JsonNode.Parse(File.ReadAllText(Path.Combine(output, "best", "architecture.json"))), "architecture.json");
        Assert.True(SearchTestSpaces.TinyTvn.Contains(best));
        var config = Assert.IsType<TvnConfig>(ModelConfigFile.Read(Path.Combine(output, "best", "config.json")));
        Assert.Equal(best.Blocks, config.Blocks);
        var info = CliRunner.Run("info", "--config", Path.Combine(output, "best", "config.json"), "--json");
        Assert.True(info.ExitCode == 0, info.Stderr);
        using (var model = ModelRegistry.Build(config))
            Assert.Equal(model.ParameterCount, JsonNode.Parse(info.Stdout)!["params"]!.GetValue<long>());

        var again = CliRunner.Run(common);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Resuming", again.Stderr);
        Assert.DoesNotContain("[2/2]", again.Stderr);

        // Latency of a TVN: the compiled clip timed whole (no layer table); a generous limit, since the machine may be loaded.
        var latency = CliRunner.Run("search", "--space", spaceFile, "--data", data, "--cost", "latency", "--target-ms", "10000", "--evaluations", "1",
            "--population", "1", "--tournament", "1", "--batch", "4", "--out", Path.Combine(root, "latency"));
        Assert.True(latency.ExitCode == 0, latency.Stderr);
        Assert.Contains("ms/frame, trained in", latency.Stderr);
        var table = CliRunner.Run("search", "--space", spaceFile, "--data", data, "--cost", "latency", "--target-ms", "5", "--latency-table", Path.Combine(root, "t.json"), "--out", Path.Combine(root, "latency2"));
        Assert.NotEqual(0, table.ExitCode);
        Assert.Contains("has no table", table.Stderr);
        var oneShot = CliRunner.Run("search", "--algo", "oneshot", "--space", "tvn", "--data", data, "--cost", "macs", "--target-mmacs", "1", "--out", Path.Combine(root, "oneshot"));
        Assert.NotEqual(0, oneShot.ExitCode);
        Assert.Contains("MoViNet spaces only", oneShot.Stderr);
    }

    [Fact]
    public void One_shot_search_writes_its_log_controller_and_retrained_best_model()
    {
        string data = Path.Combine(root, "data"), val = Path.Combine(root, "val"), spaceFile = Path.Combine(root, "space.json"), output = Path.Combine(root, "oneshot");
        SyntheticDatasetWriter.Write(data, perClass: 1, seed: 2, frames: 4, size: 16);
        SyntheticDatasetWriter.Write(val, perClass: 1, seed: 3, frames: 4, size: 16);
        File.WriteAllText(spaceFile, (SearchTestSpaces.Tiny with { Causal = [true], DepthMax = 1, Kernels = [(1, 3), (3, 3)], Frames = [2], FrameStrides = [1], Resolutions = [16] }).ToJsonText());
        var run = CliRunner.Run("search", "--algo", "oneshot", "--space", spaceFile, "--data", data, "--val", val, "--cost", "macs", "--target-mmacs", "1",
            "--oneshot-epochs", "2", "--warmup-epochs", "1", "--expansions", "2", "--batch", "4", "--seed", "3", "--out", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("[epoch 1/2, warm-up]", run.Stderr);
        Assert.Contains("[epoch 2/2]", run.Stderr);
        Assert.Contains("trained from scratch", run.Stdout);
        foreach (var file in new[] { "search-log.csv", "search-log.json", "controller.json", "controller-log.csv", "pareto.png", "command.txt", "oneshot-state.json", "oneshot-state.json.epoch2.bin", "best/config.json", "best/architecture.json", "best/model.safetensors" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, "search-log.csv")).Length);       // header, argmax after epoch 2, retrained
        var found = MoViNetArchitecture.FromJson(JsonNode.Parse(File.ReadAllText(Path.Combine(output, "best", "architecture.json"))), "architecture.json");
        Assert.True(MoViNetSearchSpace.Load(spaceFile).Contains(found));
        var (model, labels) = MoViSharpCheckpoint.Load(Path.Combine(output, "best", "model.safetensors"));
        using (model) Assert.Equal(15, labels!.Count);
        // The same command again resumes the finished state (no supernet epoch is rerun) and retrains the same argmax.
        var again = CliRunner.Run("search", "--algo", "oneshot", "--space", spaceFile, "--data", data, "--val", val, "--cost", "macs", "--target-mmacs", "1",
            "--oneshot-epochs", "2", "--warmup-epochs", "1", "--expansions", "2", "--batch", "4", "--seed", "3", "--out", output);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("Resuming", again.Stderr);
        Assert.DoesNotContain("[epoch", again.Stderr);
        Assert.Equal(found, MoViNetArchitecture.FromJson(JsonNode.Parse(File.ReadAllText(Path.Combine(output, "best", "architecture.json"))), "architecture.json"));
        var noBeta = CliRunner.Run("search", "--algo", "oneshot", "--space", spaceFile, "--data", data, "--val", val, "--cost", "macs", "--target-mmacs", "1", "--beta", "0.5", "--out", output);
        Assert.NotEqual(0, noBeta.ExitCode);
        Assert.Contains("β must be negative", noBeta.Stderr);
    }
}
