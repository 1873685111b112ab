using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Search;

namespace MoViSharp.Tests.Search;

public sealed class CostModelTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("movisharp-latency-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static readonly MoViNetSearchSpace Space = SearchTestSpaces.Tiny with { Causal = [true] };

    [Fact]
    public void The_latency_table_is_filled_once_cached_on_disk_and_its_sum_is_the_prediction()
    {
        string path = Path.Combine(root, "table.json");
        var options = CompileOptions.Default;
        var random = new SplitMix64(8);
        var a = ArchitectureSampler.Sample(Space, ref random);
        var first = new LatencyCost(Space, 5, LatencyTable.LoadOrCreate(path, 1, options, TimingClock.Wall), options, path, repeats: 2);
        var parts = first.Predict(a);
        // stem, every layer, head, pool, classifier, frame overhead
        Assert.Equal(a.LayerCount + 5, parts.Count);
        Assert.Equal(parts.Select(p => p.Key).Distinct().Count(), first.Measured + 1);      // identical layers are measured once
        Assert.All(parts, p => Assert.True(p.Ms >= 0 && double.IsFinite(p.Ms), p.Key));
        Assert.True(File.Exists(path));

        // A new instance reads the cache and measures nothing; the prediction is the sum of the stored entries.
        var table = LatencyTable.LoadOrCreate(path, 1, options, TimingClock.Wall);
        var second = new LatencyCost(Space, 5, table, options, path, repeats: 2);
        double predicted = second.Of(a);
        Assert.Equal(0, second.Measured);
        Assert.Equal(parts.Sum(p => table.Entries[p.Key]), predicted, 6);
        Assert.Equal(parts.Sum(p => p.Ms), predicted, 3);
    }

    [Fact]
    public void A_table_of_other_threads_or_options_is_refused_and_non_causal_points_have_no_latency()
    {
        string path = Path.Combine(root, "table.json");
        new LatencyTable(LatencyTable.ThisMachine(), 2, LatencyTable.Describe(CompileOptions.Default, TimingClock.Wall)).Save(path);
        var e = Assert.Throws<InvalidDataException>(() => LatencyTable.LoadOrCreate(path, 1, CompileOptions.Default, TimingClock.Wall));
        Assert.Contains(path, e.Message);
        Assert.Contains("2 thread(s)", e.Message);
        var other = CompileOptions.Default.Depthwise == DepthwiseExecution.Torch ? CompileOptions.SimdOnly : CompileOptions.TorchOnly;
        Assert.Throws<InvalidDataException>(() => LatencyTable.LoadOrCreate(path, 2, other, TimingClock.Wall));
        if (OperatingSystem.IsLinux())
            Assert.Throws<ArgumentException>(() => new LatencyCost(Space, 5, new LatencyTable("m", 2, "o"), clock: TimingClock.ThreadCpu));

        var random = new SplitMix64(1);
        var point = ArchitectureSampler.Sample(SearchTestSpaces.Tiny, ref random) with { Causal = false };
        var cost = new LatencyCost(SearchTestSpaces.Tiny, 5, new LatencyTable("m", 1, "o"));
        Assert.Contains("--cost macs", Assert.Throws<NotSupportedException>(() => cost.Of(point)).Message);
    }

    [Fact]
    public void Multiply_adds_and_parameters_match_the_built_model()
    {
        var random = new SplitMix64(4);
        foreach (var a in Enumerable.Range(0, 4).Select(_ => ArchitectureSampler.Sample(SearchTestSpaces.Tiny, ref random)))
        {
            using var model = ModelRegistry.Build(SearchTestSpaces.Tiny.ToConfig(a, 5));
            long perFrame = a.Causal ? model.Trace(1, a.Resolution, a.Resolution).MultiplyAdds
                : model.Trace(a.Frames, a.Resolution, a.Resolution).MultiplyAdds / a.Frames;
            Assert.Equal(perFrame / 1e6, new MacsCost(SearchTestSpaces.Tiny, 5).Of(a), 9);
            Assert.Equal(model.ParameterCount / 1e6, new ParameterCost(SearchTestSpaces.Tiny, 5).Of(a), 9);
        }
    }

    [Fact]
    public void Compound_scaling_scales_widths_depths_and_inputs()
    {
        var (a0, _) = MoViNetSearchSpace.Default.FromConfig(MoViNetSpecs.Get("a0", MoViNetVariant.Stream), 1);
        var half = new CompoundScaling(0.5, 0.5, 64, 8, 2).Apply(a0!);
        Assert.Equal(new[] { 1, 2, 2, 2, 2 }, half.Blocks.Select(b => b.Layers.Count));       // depths 1, 3, 3, 4, 4 halved, rounded up
        Assert.Equal(new[] { 8, 16, 32, 32, 56 }, half.Blocks.Select(b => b.Width));         // widths 8, 32, 56, 56, 104 halved to multiples of 8
        Assert.Equal((64, 8, 2), (half.Resolution, half.Frames, half.FrameStride));
        Assert.Equal(a0, new CompoundScaling(1, 1, a0!.Resolution, a0.Frames, a0.FrameStride).Apply(a0));
    }
}
