using MoViSharp.Families.MViT;
using MoViSharp.Models;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Families.MViT;

/// <summary>mvit_v1_b and mvit_v2_s against torchvision 0.14 (Fixtures/zoo/mvit_*/manifest.json): tensors, counts and logits.</summary>
public sealed class MViTUpstreamTests(MViTFullSizeModels models, ITestOutputHelper output) : IClassFixture<MViTFullSizeModels>
{
    public static TheoryData<string> Names() => new(MViTSpecs.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void UpstreamStateDictLoadsByShapeAndReproducesTheUpstreamLogits(string name)
    {
        var r = models.Results[name];
        Assert.Equal(name, r.LoadedAs);
        var expected = MViTTestData.ManifestLogits(r.Manifest);
        Assert.Equal(expected.Length, r.Logits.Length);
        double worst = expected.Zip(r.Logits, (a, b) => (double)Math.Abs(a - b)).Max(), tolerance = MViTTestData.Tolerance(expected);
        output.WriteLine($"{name}: max |Δlogit| {worst:G3} (tolerance {tolerance:G3}), forward {r.ForwardSeconds:F1} s");
        Assert.True(worst <= tolerance, $"{name}: max |Δlogit| {worst} > {tolerance}");
        Assert.Equal(r.Manifest.GetProperty("runs")[0].GetProperty("top5")[0].GetInt32(), Array.IndexOf(r.Logits, r.Logits.Max()));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ParametersAreExactlyUpstreamsAndThePublishedCount(string name)
    {
        var r = models.Results[name];
        Assert.Equal(r.Manifest.GetProperty("parameters").GetInt64(), r.Parameters);
        Assert.Equal(ModelRegistry.Entry(name).Weights!.Parameters, r.Parameters);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MultiplyAddsEqualTheUpstreamCountAndThePublishedFigure(string name)
    {
        var r = models.Results[name];
        output.WriteLine($"{name}: {r.MultiplyAdds:N0} multiply-adds, upstream counter {r.Manifest.GetProperty("macs_default").GetInt64():N0}");
        Assert.Equal(r.Manifest.GetProperty("macs_default").GetInt64(), r.MultiplyAdds);
        double published = ModelRegistry.Entry(name).Weights!.GigaMultiplyAdds!.Value;
        Assert.InRange(r.MultiplyAdds / 1e9 / published, 0.99, 1.01);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ExportWritesTheUpstreamTensorsBackBitForBitInUpstreamOrder(string name) => Assert.Empty(models.Results[name].ExportProblems);

    [Theory]
    [MemberData(nameof(Names))]
    public void LayoutEntriesAreTheManifestsKeysShapesAndOrder(string name)
    {
        var manifest = models.Results[name].Manifest;
        var expected = manifest.GetProperty("state_dict").EnumerateArray()
            .Select(e => (e.GetProperty("key").GetString()!, string.Join(",", e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64())))).ToList();
        var ours = TorchvisionLayout.Entries(MViTSpecs.Get(name)).Select(e => (e.Upstream, string.Join(",", e.Shape))).ToList();
        Assert.Equal(expected, ours);
    }
}
