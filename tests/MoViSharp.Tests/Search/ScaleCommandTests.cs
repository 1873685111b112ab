using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Models;
using MoViSharp.Search;
using MoViSharp.Tests.Cli;

namespace MoViSharp.Tests.Search;

/// <summary>`movisharp scale` over both space kinds, and `search-cost --architectures` timing given points side by side.</summary>
[Collection(SeededTorchCollection.Name)]
public sealed class ScaleCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("movisharp-scale-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static readonly TvnArchitecture TvnBase = new(
    [
        new TvnBlockSpec(8, TvnSpatialOp.Depthwise, 3, 2, TvnTemporalOp.Conv1d, 2, 1, Repeats: 2, Expand: 2, Squeeze: 0.5, Skip: false, ContextGate: true),
        new TvnBlockSpec(12, TvnSpatialOp.Standard, 3, 2, TvnTemporalOp.MaxPool, 2, 2, Repeats: 3, Expand: 1, Squeeze: 0, Skip: true, ContextGate: false),
    ], Frames: 4, FrameStride: 1, ImageSize: 16);

    [Fact]
    public void Compound_scaling_of_a_TVN_scales_filters_and_repeats_and_sets_the_clip()
    {
        var half = new CompoundScaling(0.5, 0.5, 24, 2, 2).Apply(TvnBase);
        Assert.Equal(new[] { 4, 8 }, half.Blocks.Select(b => b.Filters));        // 8, 12 halved to multiples of 4 (6 rounds up to 8)
        Assert.Equal(new[] { 1, 2 }, half.Blocks.Select(b => b.Repeats));        // 2, 3 halved, rounded up
        Assert.Equal((24, 2, 2), (half.ImageSize, half.Frames, half.FrameStride));
        Assert.Equal(TvnBase.Blocks.Select(b => (b.Spatial, b.SpatialKernel, b.Temporal, b.Expand, b.Squeeze, b.Skip, b.ContextGate)),
            half.Blocks.Select(b => (b.Spatial, b.SpatialKernel, b.Temporal, b.Expand, b.Squeeze, b.Skip, b.ContextGate)));
        var grown = new CompoundScaling(3, 2, 16, 4, 1).Apply(TvnBase);
        Assert.Equal(new[] { 24, 36 }, grown.Blocks.Select(b => b.Filters));
        Assert.Equal(new[] { 4, 6 }, grown.Blocks.Select(b => b.Repeats));

        // The tiny space allows 4–12 filters and ≤ 3 repeats: the grown point is outside it but inside its scaling space, and builds.
        Assert.NotEmpty(SearchTestSpaces.TinyTvn.Violations(grown));
        var scaling = SearchTestSpaces.TinyTvn.ScalingSpace(TvnBase);
        Assert.Empty(scaling.Violations(grown));
        using var model = ModelRegistry.Build(scaling.ToConfig(grown, 5));
        Assert.Equal(36, ((TvnConfig)model.Config).Blocks[1].Filters);
    }

    [Fact]
    public void A_MoViNet_scaling_space_admits_scaled_A0_and_keeps_its_head_choices()
    {
        var (a0, _) = MoViNetSearchSpace.Default.FromConfig(MoViNetSpecs.Get("a0", MoViNetVariant.Stream), 1);
        var small = (MoViNetArchitecture)SearchTestSpaces.Tiny.Scale(a0!, new CompoundScaling(0.25, 0.5, 32, 4, 1));
        Assert.NotEmpty(SearchTestSpaces.Tiny.Violations(small));                      // A0's widths and hidden 2048 are not tiny
        var scaling = (MoViNetSearchSpace)SearchTestSpaces.Tiny.ScalingSpace(a0!);
        Assert.Empty(scaling.Violations(small));
        Assert.Equal([a0!.Hidden], scaling.Hidden);
        Assert.Equal([true], scaling.Causal);
    }

    [Fact]
    public void Scale_runs_over_a_TVN_space_from_a_base_file_and_its_log_serves_as_search_baselines()
    {
        string data = Path.Combine(root, "data"), spaceFile = Path.Combine(root, "tvn.json"), baseFile = Path.Combine(root, "base.json"), output = Path.Combine(root, "scaled");
        SyntheticDatasetWriter.Write(data, perClass: 5, seed: 2, frames: 4, size: 16);
        File.WriteAllText(spaceFile, (SearchTestSpaces.TinyTvn with { Frames = [2], ImageSizes = [16] }).ToJsonText());
        File.WriteAllText(baseFile, TvnBase.ToJson().ToJsonString());
        var run = CliRunner.Run("scale", "--space", spaceFile, "--base", baseFile, "--data", data, "--cost", "macs", "--target-mmacs", "1000",
            "--samples", "2", "--widths", "0.5,2", "--depths", "1", "--batch", "4", "--seed", "3", "--out", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Best scaling: width ×", run.Stdout);
        var log = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "scale-log.json")))!;
        Assert.Equal("tvn", log["space_kind"]!.GetValue<string>());
        var trained = log["history"]!.AsArray().Where(h => h!["accuracy"] is not null).ToList();
        Assert.Equal(2, trained.Count);
        foreach (var h in trained)
        {
            var point = TvnArchitecture.FromJson(h!["architecture"], "history");
            Assert.Equal((2, 16), (point.Frames, point.ImageSize));                          // the input axes come from the space file
            Assert.Contains(point.Blocks[0].Filters, new[] { 4, 16 });                       // 8 × 0.5 or × 2
            Assert.Equal(TvnBase.Blocks.Select(b => b.Repeats), point.Blocks.Select(b => b.Repeats));
        }
        var config = Assert.IsType<TvnConfig>(ModelConfigFile.Read(Path.Combine(output, "best", "config.json")));
        Assert.Equal(TvnArchitecture.FromJson(JsonNode.Parse(File.ReadAllText(Path.Combine(output, "best", "architecture.json"))), "best").Blocks, config.Blocks);
        Assert.True(File.Exists(Path.Combine(output, "best", "model.safetensors")));

        var search = CliRunner.Run("search", "--space", spaceFile, "--data", data, "--cost", "macs", "--target-mmacs", "1000", "--evaluations", "1",
            "--population", "1", "--tournament", "1", "--batch", "4", "--baselines", Path.Combine(output, "scale-log.json"), "--out", Path.Combine(root, "search"));
        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.True(File.Exists(Path.Combine(root, "search", "pareto.png")));

        var unknown = CliRunner.Run("scale", "--space", spaceFile, "--base", "tvn9", "--data", data, "--cost", "macs", "--target-mmacs", "1", "--out", output);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("'tvn9' is neither a file nor a published TVN", unknown.Stderr);
    }

    [Fact]
    public void Scale_of_published_A0_over_a_MoViNet_space_file_writes_a_stream_config()
    {
        string data = Path.Combine(root, "data"), spaceFile = Path.Combine(root, "movinet.json"), output = Path.Combine(root, "a0");
        SyntheticDatasetWriter.Write(data, perClass: 5, seed: 2, frames: 4, size: 16);
        File.WriteAllText(spaceFile, (SearchTestSpaces.Tiny with { Causal = [true], Frames = [2], Resolutions = [16], FrameStrides = [1] }).ToJsonText());
        var run = CliRunner.Run("scale", "--base", "a0", "--space", spaceFile, "--data", data, "--cost", "params", "--target-mparams", "100",
            "--samples", "1", "--widths", "0.25", "--depths", "0.25", "--batch", "4", "--out", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Best scaling: width ×0.25, depth ×0.25, 2×16² stride 1", run.Stdout);
        Assert.Equal("movinet", JsonNode.Parse(File.ReadAllText(Path.Combine(output, "scale-log.json")))!["space_kind"]!.GetValue<string>());
        var config = Assert.IsType<MoViNetConfig>(ModelConfigFile.Read(Path.Combine(output, "best", "config.json")));
        Assert.True(config.Causal);
        Assert.Equal(new[] { 1, 1, 1, 1, 1 }, config.Stages.Select(s => s.Layers.Count));      // A0's depths 1, 3, 3, 4, 4 × 0.25, rounded up
    }

    [Fact]
    public void A_stopped_scale_run_resumes_to_the_uninterrupted_result()
    {
        string data = Path.Combine(root, "data"), spaceFile = Path.Combine(root, "movinet.json");
        SyntheticDatasetWriter.Write(data, perClass: 5, seed: 2, frames: 4, size: 16);
        File.WriteAllText(spaceFile, (SearchTestSpaces.Tiny with { Causal = [true], Frames = [2], Resolutions = [16], FrameStrides = [1] }).ToJsonText());
        CliRunner.Result Scale(string output, int samples, int seed = 4) => CliRunner.Run("scale", "--base", "a0", "--space", spaceFile, "--data", data,
            "--cost", "params", "--target-mparams", "100", "--samples", samples.ToString(), "--widths", "0.25,0.375", "--depths", "0.25,0.5",
            "--batch", "4", "--seed", seed.ToString(), "--out", output);
        static List<(string, double)> Trained(string output) => JsonNode.Parse(File.ReadAllText(Path.Combine(output, "scale-log.json")))!["history"]!.AsArray()
            .Where(h => h!["accuracy"] is not null).Select(h => (h!["change"]!.GetValue<string>(), h["accuracy"]!.GetValue<double>())).ToList();

        string whole = Path.Combine(root, "whole"), stopped = Path.Combine(root, "stopped");
        var run = Scale(whole, 3);
        Assert.True(run.ExitCode == 0, run.Stderr);
        run = Scale(stopped, 1);                        // a run stopped after its first candidate: its log is what survives
        Assert.True(run.ExitCode == 0, run.Stderr);
        var first = Trained(stopped);
        Assert.Single(first);
        run = Scale(stopped, 3);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("proposals (1 trained) are kept", run.Stderr);
        Assert.Equal(Trained(whole), Trained(stopped));
        Assert.Equal(3, Trained(stopped).Count);
        Assert.Equal(first[0], Trained(stopped)[0]);

        var other = Scale(stopped, 3, seed: 5);
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("the log was written with seed 4, this run has 5", other.Stderr);
    }

    [Fact]
    public void Search_cost_times_given_architectures_side_by_side()
    {
        var space = SearchTestSpaces.Tiny with { Causal = [true] };
        var random = new SplitMix64(5);
        string first = Path.Combine(root, "a.json"), second = Path.Combine(root, "b.json"), output = Path.Combine(root, "cost");
        File.WriteAllText(first, ((MoViNetArchitecture)((ISearchSpace)space).Sample(ref random)).ToJson().ToJsonString());
        // The second is outside the space file (wider than its widths allow): given points need not be points of it.
        var (a0, _) = MoViNetSearchSpace.Default.FromConfig(MoViNetSpecs.Get("a0", MoViNetVariant.Stream), 1);
        File.WriteAllText(second, new CompoundScaling(0.25, 0.25, 32, 4, 1).Apply(a0!).ToJson().ToJsonString());
        string spaceFile = Path.Combine(root, "space.json");
        File.WriteAllText(spaceFile, space.ToJsonText());

        var run = CliRunner.Run("search-cost", "--space", spaceFile, "--architectures", $"{first},{second}", "--threads", "1", "--repeats", "2",
            "--classes", "5", "--latency-tables", Path.Combine(root, "tables"), "--out", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var samples = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "latency-validation.json")))!["samples"]!.AsArray();
        Assert.Equal(2, samples.Count);
        Assert.All(samples, s => Assert.True(s!["measured_ms"]!.GetValue<double>() > 0 && s["predicted_ms"]!.GetValue<double>() > 0));
        Assert.Equal(a0!.Hidden, samples[1]!["architecture"]!["hidden"]!.GetValue<int>());     // the scaled A0, timed as given

        var missing = CliRunner.Run("search-cost", "--architectures", Path.Combine(root, "nope.json"), "--threads", "1", "--out", output);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("nope.json does not exist", missing.Stderr);
    }
}
