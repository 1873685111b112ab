using MoViSharp.Families.C3D;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Families.C3D;

public sealed class C3DReferenceRuns : ReferenceRuns
{
    protected override ICheckpointLayout Layout(string name) => new C3DPytorchLayout();
}

/// <summary>
/// The full Sports-1M C3D against the conversion's code at 16×112² (fc6 fixes the input): its 22-entry state dict loads
/// strictly and unhinted as c3d, fc8's output matches the conversion's logits on the deterministic weights, the export is bit-exact.
/// </summary>
public sealed class C3DUpstreamTests(C3DReferenceRuns runs, ITestOutputHelper output) : IClassFixture<C3DReferenceRuns>
{
    [Fact]
    public void TheLayoutNamesTheModelFromItsKeysAlone() => Assert.Equal("c3d", runs.Get("c3d").LoadedName);

    [Fact]
    public void LogitsMatchTheConversionOnTheDeterministicWeights()
    {
        var outcome = runs.Get("c3d");
        var (run, difference, tolerance) = Assert.Single(outcome.Upstream);
        Assert.Equal("16x112x112", run);
        output.WriteLine($"{outcome.LoadedName} {run}: max |Δlogit| {difference:G3} (tolerance {tolerance:G3}), loaded and run in {outcome.Seconds:F1} s");
        Assert.True(difference <= tolerance, $"max |Δlogit| {difference:G3} > {tolerance:G3}");
    }

    [Fact]
    public void ExportIsTheUpstreamStateDictBitForBit() => Assert.Null(runs.Get("c3d").ExportMismatch);
}
