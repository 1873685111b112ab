using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Search;
using MoViSharp.Tests.Cli;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Search;

public sealed class TvnSearchSpaceTests
{
    [Theory]
    [InlineData("tvn1")]
    [InlineData("tvn2")]
    [InlineData("tvn3")]
    [InlineData("tvn4")]
    public void Published_TVNs_are_points_of_the_built_in_space_and_map_back_to_their_exact_config(string name)
    {
        var published = TvnSpecs.Get(name);
        var space = TvnSearchSpace.Default;
        var (point, reason) = space.FromConfig(published);
        Assert.True(point is not null, reason);
        Assert.True(space.Contains(point));
        Assert.Equal(TvnConfigJson.Write(published), TvnConfigJson.Write(space.ToConfig(point, published.NumClasses, name)));
        // The point's JSON (the config's own fields) reads back to the same point, and as a space-generic point too.
        var back = ((ISearchSpace)space).PointFromJson(JsonNode.Parse(point.ToJson().ToJsonString()), "test");
        Assert.Equal<ISearchPoint>(point, back);
    }

    [Fact]
    public void A_published_TVN_outside_a_narrower_space_says_why()
    {
        var narrow = TvnSearchSpace.Default with { BlockCount = new(1, 4), Block = TvnSearchSpace.Default.Block with { Filters = new(16, 512, 16) } };
        var (point, reason) = narrow.FromConfig(TvnSpecs.Get("tvn2"));
        Assert.Null(point);
        Assert.Contains("7 blocks, not in [1, 4]", reason);
        Assert.Contains("block 2 filters 1024 not in 16…512 (step 16)", reason);
        Assert.Contains("block 6 filters 348", reason);
    }

    [Fact]
    public void The_space_file_round_trips_its_kind_decides_and_the_documented_copy_is_current()
    {
        string text = TvnSearchSpace.Default.ToJsonText();
        var read = SearchSpaces.FromJson(JsonNode.Parse(text)!.AsObject(), "test");
        Assert.IsType<TvnSearchSpace>(read);
        Assert.Equal(text, read.ToJsonText());
        Assert.Equal(text, File.ReadAllText(Path.Combine(CliRunner.RepositoryRoot, "docs", "search", "tvn.json")).TrimEnd());
        // The documented example of a narrowed space is a TVN space that the published TVN-1 is not in.
        var small = Assert.IsType<TvnSearchSpace>(SearchSpaces.Load(Path.Combine(CliRunner.RepositoryRoot, "docs", "search", "tvn-small.json")));
        Assert.NotNull(small.FromConfig(TvnSpecs.Get("tvn1")).Reason);
        string tiny = SearchTestSpaces.TinyTvn.ToJsonText();
        Assert.Equal(tiny, SearchSpaces.FromJson(JsonNode.Parse(tiny)!.AsObject(), "test").ToJsonText());
        // A MoViNet file says so; one written before spaces had a kind is a MoViNet space.
        Assert.IsType<MoViNetSearchSpace>(SearchSpaces.FromJson(MoViNetSearchSpace.Default.ToJson(), "test"));
        var old = MoViNetSearchSpace.Default.ToJson();
        old.Remove("kind");
        Assert.IsType<MoViNetSearchSpace>(SearchSpaces.FromJson(old, "test"));
        var other = TvnSearchSpace.Default.ToJson();
        other["kind"] = "evanet";
        Assert.Contains("'kind' must be one of movinet, tvn", Assert.Throws<InvalidDataException>(() => SearchSpaces.FromJson(other, "space.json")).Message);
        Assert.Contains("not a MoViNet space", Assert.Throws<InvalidDataException>(() => MoViNetSearchSpace.FromJson(TvnSearchSpace.Default.ToJson(), "space.json")).Message);
    }

    [Fact]
    public void A_bad_space_file_names_the_field()
    {
        var o = TvnSearchSpace.Default.ToJson();
        o["block"]!["se_ratio"]!["max"] = 1.5;
        var e = Assert.Throws<InvalidDataException>(() => TvnSearchSpace.FromJson(o, "space.json"));
        Assert.Contains("space.json", e.Message);
        Assert.Contains("se_ratio", e.Message);
        o = TvnSearchSpace.Default.ToJson();
        o["block"]!["spatial_types"] = new JsonArray("std", "conv");
        Assert.Contains("spatial type 'conv'", Assert.Throws<InvalidDataException>(() => TvnSearchSpace.FromJson(o, "space.json")).Message);
        o = TvnSearchSpace.Default.ToJson();
        o["block"]!["repeats"] = new JsonObject { ["min"] = 0, ["max"] = 2 };
        Assert.Contains("'repeats' needs 1 ≤ min", Assert.Throws<InvalidDataException>(() => TvnSearchSpace.FromJson(o, "space.json")).Message);
        o = TvnSearchSpace.Default.ToJson();
        o["frames"] = new JsonArray(2, 0);
        Assert.Contains("'frames' has 0", Assert.Throws<InvalidDataException>(() => TvnSearchSpace.FromJson(o, "space.json")).Message);
    }

    [Fact]
    public void Random_points_are_in_the_space_and_round_trip_through_json()
    {
        var space = TvnSearchSpace.Default;
        var random = new SplitMix64(3);
        var seen = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            var a = TvnSampler.Sample(space, ref random);
            Assert.True(space.Contains(a), string.Join("; ", space.Violations(a)));
            Assert.Equal(a, TvnArchitecture.FromJson(JsonNode.Parse(a.ToJson().ToJsonString()), "test"));
            seen.UnionWith(a.Blocks.Select(b => $"{b.Spatial}/{b.Temporal}"));
        }
        Assert.Equal(12, seen.Count);               // every spatial × temporal op pair drawn
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void A_mutation_changes_exactly_one_choice_and_stays_in_the_space(ulong seed)
    {
        foreach (var space in new[] { TvnSearchSpace.Default, SearchTestSpaces.TinyTvn })
        {
            var random = new SplitMix64(seed);
            var parent = TvnSampler.Sample(space, ref random);
            var genes = new HashSet<string>();
            for (int i = 0; i < 300; i++)
            {
                var (child, change) = ((ISearchSpace)space).Mutate(parent, ref random);
                var c = (TvnArchitecture)child;
                Assert.True(space.Contains(c), $"{change}: {string.Join("; ", space.Violations(c))}");
                Assert.Equal(1, ChangedChoices(parent, c));
                genes.Add(change.Split(' ')[0].Split('.')[^1]);
                parent = c;
            }
            // Every kind of gene was mutated at some point.
            Assert.Superset(new HashSet<string> { "blocks", "frames", "frame_stride", "image_size", "filters", "spatial_type", "spatial_kernel", "spatial_stride",
                "temporal_type", "temporal_kernel", "temporal_stride", "expand", "skip", "squeeze", "context_gate", "repeats" }, genes);
        }
    }

    /// <summary>Choices that differ; a change of the block count counts once (the blocks it adds or drops follow it).</summary>
    private static int ChangedChoices(TvnArchitecture a, TvnArchitecture b)
    {
        int n = (a.Frames != b.Frames ? 1 : 0) + (a.FrameStride != b.FrameStride ? 1 : 0) + (a.ImageSize != b.ImageSize ? 1 : 0);
        if (a.Blocks.Count != b.Blocks.Count)
        {
            var (shorter, longer) = a.Blocks.Count < b.Blocks.Count ? (a, b) : (b, a);
            Assert.Equal(shorter.Blocks, longer.Blocks.Take(shorter.Blocks.Count));
            return n + 1;
        }
        foreach (var (x, y) in a.Blocks.Zip(b.Blocks))
            n += new[]
            {
                x.Filters != y.Filters, x.Spatial != y.Spatial, x.SpatialKernel != y.SpatialKernel, x.SpatialStride != y.SpatialStride,
                x.Temporal != y.Temporal, x.TemporalKernel != y.TemporalKernel, x.TemporalStride != y.TemporalStride, x.Expand != y.Expand,
                x.Skip != y.Skip, x.Squeeze != y.Squeeze, x.ContextGate != y.ContextGate, x.Repeats != y.Repeats,
            }.Count(d => d);
        return n;
    }

    [Fact]
    public void Random_points_build_through_the_registry_run_a_clip_and_compile_like_the_plain_model()
    {
        var space = SearchTestSpaces.TinyTvn;
        var random = new SplitMix64(5);
        for (int i = 0; i < 16; i++)
        {
            var point = TvnSampler.Sample(space, ref random);
            var config = ((ISearchSpace)space).ToConfig(point, classes: 5);
            var reread = ModelConfigFile.Parse(ModelConfigFile.Write(config), "test");
            Assert.Equal(ModelConfigFile.Write(config), ModelConfigFile.Write(reread));
            using var scope = NewDisposeScope();
            using var model = TestModels.Randomize(ModelRegistry.Build(reread), seed: 2);
            model.eval();
            var clip = TestModels.Clip(point.Frames, point.ImageSize, batch: 2);
            using var compiled = ModelCompiler.Compile(model);
            using var _ = inference_mode();
            var plain = model.forward(clip);
            Assert.Equal([2L, 5], plain.shape);
            Assert.True(plain.isfinite().all().item<bool>(), point.ToString());
            Assert.True(TestModels.MaxAbsDiff(compiled.ClipLogits(clip).select(1, -1), plain) < 1e-3, point.ToString());
        }
    }

    [Fact]
    public void The_clip_latency_cost_times_each_new_point_once()
    {
        var space = SearchTestSpaces.TinyTvn;
        var cost = new ClipLatencyCost(space, classes: 5, threads: 1, repeats: 2);
        var random = new SplitMix64(8);
        var a = TvnSampler.Sample(space, ref random);
        double ms = cost.Of(a);
        Assert.True(double.IsFinite(ms) && ms > 0, $"{ms}");
        Assert.Equal(ms, cost.Of(TvnArchitecture.FromJson(JsonNode.Parse(a.ToJson().ToJsonString()), "copy")));       // remembered, not re-timed
        Assert.Equal(1, cost.Measured);
        Assert.False(cost.Deterministic);
        Assert.Throws<ArgumentException>(() => new ClipLatencyCost(space, 5, threads: 2, clock: TimingClock.ThreadCpu));
    }
}
