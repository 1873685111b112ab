using MoViSharp.Families.S3D;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Families.S3D;

public sealed class S3DReferenceRuns : ReferenceRuns
{
    protected override ICheckpointLayout Layout(string name) => new TorchvisionS3DLayout();
}

/// <summary>
/// torchvision's s3d against the upstream implementation at its only input, 16×224² (the head pool is fixed): the state dict
/// loads strictly and unhinted as s3d, the logits on the deterministic weights match, the export is bit-exact.
/// </summary>
public sealed class S3DUpstreamTests(S3DReferenceRuns runs, ITestOutputHelper output) : IClassFixture<S3DReferenceRuns>
{
    [Fact]
    public void TheLayoutNamesTheModelFromItsKeysAlone() => Assert.Equal("s3d", runs.Get("s3d").LoadedName);

    [Fact]
    public void LogitsMatchTorchvisionOnTheDeterministicWeights()
    {
        var outcome = runs.Get("s3d");
        var (run, difference, tolerance) = Assert.Single(outcome.Upstream);
        Assert.Equal("16x224x224", run);
        output.WriteLine($"{outcome.LoadedName} {run}: max |Δlogit| {difference:G3} (tolerance {tolerance:G3}), loaded and run in {outcome.Seconds:F1} s");
        Assert.True(difference <= tolerance, $"max |Δlogit| {difference:G3} > {tolerance:G3}");
    }

    [Fact]
    public void ExportIsTheUpstreamStateDictBitForBit() => Assert.Null(runs.Get("s3d").ExportMismatch);
}
