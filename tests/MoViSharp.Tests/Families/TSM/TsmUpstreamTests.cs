using MoViSharp.Families.TSM;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Families.TSM;

public sealed class TsmReferenceRuns : ReferenceRuns
{
    protected override ICheckpointLayout Layout(string name) => new TsmReleaseLayout();
}

/// <summary>
/// The full TSM-R50 and TSM-MobileNetV2 against temporal-shift-module's TSN on the deterministic weights (manifests of 8×224² and
/// 8×64²): the state dict loads strictly and unhinted as the published model, the logits match, the export is bit-exact, and the
/// parameter and multiply-add counts are the upstream module's (the online forms share them: the shift has neither).
/// </summary>
public sealed class TsmUpstreamTests(TsmReferenceRuns runs, ITestOutputHelper output) : IClassFixture<TsmReferenceRuns>
{
    public static TheoryData<string> Models() => new("tsm_r50", "tsm_mobilenetv2");

    [Theory]
    [MemberData(nameof(Models))]
    public void LogitsMatchTheUpstreamTsnOnTheDeterministicWeights(string name)
    {
        var outcome = runs.Get(name);
        Assert.Equal(name, outcome.LoadedName);
        Assert.Equal(2, outcome.Upstream.Count);
        foreach (var (run, difference, tolerance) in outcome.Upstream)
        {
            output.WriteLine($"{name} {run}: max |Δlogit| {difference:G3} (tolerance {tolerance:G3}), loaded and run in {outcome.Seconds:F1} s");
            Assert.True(difference <= tolerance, $"{name} {run}: max |Δlogit| {difference:G3} > {tolerance:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ExportIsTheUpstreamStateDictBitForBit(string name) => Assert.Null(runs.Get(name).ExportMismatch);

    [Theory]
    [InlineData("tsm_r50", "tsm_r50")]
    [InlineData("tsm_mobilenetv2", "tsm_mobilenetv2")]
    [InlineData("tsm_r50_online", "tsm_r50")]
    [InlineData("tsm_mobilenetv2_online", "tsm_mobilenetv2")]
    public void ParametersAndMultiplyAddsAreTheUpstreamCounts(string name, string manifestName)
    {
        var manifest = UpstreamReference.Manifest(manifestName);
        using var model = ModelRegistry.Create(name);
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), model.ParameterCount);
        Assert.Equal(ModelRegistry.Entry(name).Weights!.Parameters, model.ParameterCount);
        foreach (var run in manifest.GetProperty("runs").EnumerateArray())
        {
            var trace = model.Trace(run.GetProperty("T").GetInt32(), run.GetProperty("H").GetInt32(), run.GetProperty("W").GetInt32());
            Assert.Equal(run.GetProperty("macs").GetInt64(), trace.MultiplyAdds);
        }
        Assert.Equal(manifest.GetProperty("macs_default").GetInt64(), model.Trace(8, 224, 224).MultiplyAdds);
        Assert.InRange(model.Trace(8, 224, 224).MultiplyAdds / 1e9 / ModelRegistry.Entry(name).Weights!.GigaMultiplyAdds!.Value, 0.99, 1.01);
    }
}
