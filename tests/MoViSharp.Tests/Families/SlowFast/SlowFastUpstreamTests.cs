using MoViSharp.Families.SlowFast;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Families.SlowFast;

public sealed class SlowFastReferenceRuns : ReferenceRuns
{
    protected override ICheckpointLayout Layout(string name) => new PyTorchVideoResNetLayout();
}

/// <summary>
/// PyTorchVideo's slow_r50 (8×224²) and slowfast_r50 (32×224² fast, the slow frames sampled inside the model) against the upstream
/// implementation at their build clips (the head pools are fixed): the hub state dict loads strictly and unhinted, named by its
/// keys, the logits on the deterministic weights match PyTorchVideo's, the export is the upstream state dict bit for bit.
/// </summary>
public sealed class SlowFastUpstreamTests(SlowFastReferenceRuns runs, ITestOutputHelper output) : IClassFixture<SlowFastReferenceRuns>
{
    public static TheoryData<string> Names() => new(SlowFastSpecs.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void TheLayoutNamesTheModelFromItsKeysAlone(string name) => Assert.Equal(name, runs.Get(name).LoadedName);

    [Theory]
    [MemberData(nameof(Names))]
    public void LogitsMatchPyTorchVideoOnTheDeterministicWeights(string name)
    {
        var outcome = runs.Get(name);
        var (run, difference, tolerance) = Assert.Single(outcome.Upstream);
        output.WriteLine($"{outcome.LoadedName} {run}: max |Δlogit| {difference:G3} (tolerance {tolerance:G3}), loaded and run in {outcome.Seconds:F1} s");
        Assert.True(difference <= tolerance, $"{name} {run}: max |Δlogit| {difference:G3} > {tolerance:G3}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ExportIsTheUpstreamStateDictBitForBit(string name) => Assert.Null(runs.Get(name).ExportMismatch);
}
