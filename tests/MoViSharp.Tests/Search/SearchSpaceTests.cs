using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Search;
using MoViSharp.Tests.Cli;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Search;

public sealed class SearchSpaceTests
{
    [Theory]
    [InlineData("a0", MoViNetVariant.Base)]
    [InlineData("a0", MoViNetVariant.Stream)]
    [InlineData("a1", MoViNetVariant.Base)]
    [InlineData("a1", MoViNetVariant.Stream)]
    [InlineData("a2", MoViNetVariant.Base)]
    [InlineData("a2", MoViNetVariant.Stream)]
    [InlineData("a3", MoViNetVariant.Base)]
    public void Published_models_are_points_that_map_back_to_their_exact_config(string name, MoViNetVariant variant)
    {
        var published = MoViNetSpecs.Get(name, variant);
        var (point, reason) = MoViNetSearchSpace.Default.FromConfig(published, frameStride: 5);
        Assert.True(point is not null, reason);
        var config = MoViNetSearchSpace.Default.ToConfig(point, published.NumClasses, name) with { DropoutRate = published.DropoutRate };
        Assert.Equal(MoViNetConfigJson.Write(published), MoViNetConfigJson.Write(config));
    }

    [Theory]
    [InlineData("a3", MoViNetVariant.Stream, "positional encoding")]
    [InlineData("a4", MoViNetVariant.Base, "depth 13 not in [1, 10]")]
    [InlineData("a5", MoViNetVariant.Base, "depth 18 not in [1, 10]")]
    public void Published_models_outside_the_space_say_why(string name, MoViNetVariant variant, string expected)
    {
        var (point, reason) = MoViNetSearchSpace.Default.FromConfig(MoViNetSpecs.Get(name, variant), frameStride: 5);
        Assert.Null(point);
        Assert.Contains(expected, reason);
    }

    [Fact]
    public void The_space_file_round_trips_and_the_documented_copy_is_current()
    {
        string text = MoViNetSearchSpace.Default.ToJsonText();
        Assert.Equal(text, MoViNetSearchSpace.FromJson(System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject(), "test").ToJsonText());
        string documented = File.ReadAllText(Path.Combine(CliRunner.RepositoryRoot, "docs", "search", "movinet.json")).TrimEnd();
        Assert.Equal(text, documented);
        string tiny = SearchTestSpaces.Tiny.ToJsonText();
        Assert.Equal(tiny, MoViNetSearchSpace.FromJson(System.Text.Json.Nodes.JsonNode.Parse(tiny)!.AsObject(), "test").ToJsonText());
    }

    [Fact]
    public void A_bad_space_file_names_the_field()
    {
        var o = MoViNetSearchSpace.Default.ToJson();
        o["depth"] = new System.Text.Json.Nodes.JsonObject { ["min"] = 3, ["max"] = 2 };
        var e = Assert.Throws<InvalidDataException>(() => MoViNetSearchSpace.FromJson(o, "space.json"));
        Assert.Contains("space.json", e.Message);
        Assert.Contains("depth", e.Message);
        o = MoViNetSearchSpace.Default.ToJson();
        o["kernels"] = new System.Text.Json.Nodes.JsonArray("3x5x3");
        Assert.Contains("not square", Assert.Throws<InvalidDataException>(() => MoViNetSearchSpace.FromJson(o, "space.json")).Message);
    }

    [Fact]
    public void Architectures_round_trip_through_json()
    {
        var random = new SplitMix64(3);
        for (int i = 0; i < 20; i++)
        {
            var a = ArchitectureSampler.Sample(MoViNetSearchSpace.Default, ref random);
            Assert.True(MoViNetSearchSpace.Default.Contains(a), string.Join("; ", MoViNetSearchSpace.Default.Violations(a)));
            Assert.Equal(a, MoViNetArchitecture.FromJson(System.Text.Json.Nodes.JsonNode.Parse(a.ToJson().ToJsonString()), "test"));
        }
    }

    [Fact]
    public void A_mutation_changes_exactly_one_choice_and_stays_in_the_space()
    {
        var space = MoViNetSearchSpace.Default;
        var random = new SplitMix64(11);
        var parent = ArchitectureSampler.Sample(space, ref random);
        int kernelChanges = 0;
        for (int i = 0; i < 200; i++)
        {
            var (child, change) = ArchitectureMutator.Mutate(space, parent, ref random);
            Assert.True(space.Contains(child), $"{change}: {string.Join("; ", space.Violations(child))}");
            Assert.NotEqual(parent, child);
            Assert.Equal(1, ChangedChoices(parent, child));
            if (change.Contains(".kernel "))       // kernels are described as the JSON writes them, not as tuples
                Assert.Matches(@"^b\d+\.l\d+\.kernel \d+x\d+x\d+→\d+x\d+x\d+$", change);
            parent = child;
            kernelChanges += change.Contains(".kernel ") ? 1 : 0;
        }
        Assert.True(kernelChanges > 0, "200 mutations changed no kernel");
    }

    /// <summary>Choices that differ; a depth or width change counts once (its layers follow it).</summary>
    private static int ChangedChoices(MoViNetArchitecture a, MoViNetArchitecture b)
    {
        int n = (a.Stem != b.Stem ? 1 : 0) + (a.Head != b.Head ? 1 : 0) + (a.Hidden != b.Hidden ? 1 : 0) +
                (a.SqueezeExcitation != b.SqueezeExcitation ? 1 : 0) + (a.Causal != b.Causal ? 1 : 0) + (a.Frames != b.Frames ? 1 : 0) +
                (a.FrameStride != b.FrameStride ? 1 : 0) + (a.Resolution != b.Resolution ? 1 : 0);
        for (int i = 0; i < a.Blocks.Count; i++)
        {
            var (x, y) = (a.Blocks[i], b.Blocks[i]);
            if (x.Width != y.Width || x.Layers.Count != y.Layers.Count) { n++; continue; }
            n += x.Layers.Zip(y.Layers).Sum(p => (p.First.Expand != p.Second.Expand ? 1 : 0) + (p.First.Kernel != p.Second.Kernel ? 1 : 0));
        }
        return n;
    }

    [Fact]
    public void Random_points_build_through_the_registry_compile_and_stream_like_the_plain_model()
    {
        var space = SearchTestSpaces.Tiny;
        var random = new SplitMix64(5);
        var points = Enumerable.Range(0, 6).Select(_ => ArchitectureSampler.Sample(space, ref random)).ToList();
        // One point with every kernel, with the temporal-only kernels on the strided layers.
        var kernels = space.Kernels.Reverse().ToList();
        points.Add(points[0] with
        {
            Causal = true,
            Blocks = points[0].Blocks.Select((b, i) => b with { Layers = [.. Enumerable.Range(0, 2).Select(l => new SearchedLayer(space.Expansions(b.Width)[0], kernels[(2 * i + l) % 7].Time, kernels[(2 * i + l) % 7].Size))] }).ToList(),
        });
        foreach (var point in points.Concat(points.Take(2).Select(p => p with { Causal = !p.Causal })))
        {
            var config = space.ToConfig(point, classes: 5);
            var reread = (MoViNetConfig)ModelRegistry.Family(config.Family).ReadConfig(ModelRegistry.Family(config.Family).WriteConfig(config), "test");
            Assert.Equal(MoViNetConfigJson.Write(config), MoViNetConfigJson.Write(reread));
            using var scope = NewDisposeScope();
            using var model = TestModels.Randomize(ModelRegistry.Build(config), seed: 2);
            var clip = TestModels.Clip(point.Frames, point.Resolution);
            using var compiled = ModelCompiler.Compile(model);
            using var _ = inference_mode();
            if (point.Causal)
            {
                Assert.True(model.Streamable, point.ToString());
                var reference = model.Logits(clip);                                  // [1, T, K]
                using var state = compiled.InitialState(1, point.Resolution, point.Resolution);
                for (int t = 0; t < point.Frames; t++)
                {
                    var step = compiled.Step(clip.select(2, t), state)!;
                    Assert.True(TestModels.MaxAbsDiff(step, reference.select(1, t)) < 1e-3, $"{point} frame {t}");
                }
            }
            else
            {
                var reference = model.Logits(clip).select(1, -1);
                Assert.True(TestModels.MaxAbsDiff(compiled.ClipLogits(clip).select(1, -1), reference) < 1e-3, point.ToString());
            }
        }
    }
}
