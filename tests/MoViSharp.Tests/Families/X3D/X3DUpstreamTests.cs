using MoViSharp.Families.X3D;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Families.X3D;

public sealed class X3DReferenceRuns : ReferenceRuns
{
    protected override ICheckpointLayout Layout(string name) => new PyTorchVideoX3DLayout();
}

/// <summary>
/// PyTorchVideo's x3d_xs, x3d_s, x3d_m and x3d_l against the upstream implementation at their build clips (the head pool is
/// fixed): the hub state dict loads strictly, named by its keys (and, for the three that share every shape, by the source
/// name), the logits on the deterministic weights match PyTorchVideo's, the export is the upstream state dict bit for bit.
/// </summary>
public sealed class X3DUpstreamTests(X3DReferenceRuns runs, ITestOutputHelper output) : IClassFixture<X3DReferenceRuns>
{
    public static TheoryData<string> Names() => new("x3d_xs", "x3d_s", "x3d_m", "x3d_l");

    [Theory]
    [MemberData(nameof(Names))]
    public void TheLayoutNamesTheModelFromItsKeysAndName(string name) => Assert.Equal(name, runs.Get(name).LoadedName);

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
