using MoViSharp.Families.VideoResNets;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Families.VideoResNets;

/// <summary>The three full-size models, each loaded once from its manifest's state dict (deterministic weights).</summary>
public sealed class VideoResNetReferenceRuns : ReferenceRuns
{
    protected override ICheckpointLayout Layout(string name) => new TorchvisionVideoResNetLayout();
}

/// <summary>
/// torchvision's r3d_18, mc3_18 and r2plus1d_18 against the upstream implementation: its state dict (names, shapes, order) loads
/// strictly and unhinted, the logits on the deterministic weights and clips (16×112² and 8×64²) match torchvision's, and the
/// export is the upstream state dict bit for bit.
/// </summary>
public sealed class VideoResNetUpstreamTests(VideoResNetReferenceRuns runs, ITestOutputHelper output) : IClassFixture<VideoResNetReferenceRuns>
{
    public static TheoryData<string> Names() => new(VideoResNetSpecs.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void TheLayoutNamesTheModelFromItsKeysAlone(string name) => Assert.Equal(name, runs.Get(name).LoadedName);

    [Theory]
    [MemberData(nameof(Names))]
    public void LogitsMatchTorchvisionOnTheDeterministicWeights(string name)
    {
        var outcome = runs.Get(name);
        Assert.Equal(2, outcome.Upstream.Count);          // 16×112² and 8×64²
        foreach (var (run, difference, tolerance) in outcome.Upstream)
        {
            output.WriteLine($"{outcome.LoadedName} {run}: max |Δlogit| {difference:G3} (tolerance {tolerance:G3}), loaded and run in {outcome.Seconds:F1} s");
            Assert.True(difference <= tolerance, $"{name} {run}: max |Δlogit| {difference:G3} > {tolerance:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ExportIsTheUpstreamStateDictBitForBit(string name) => Assert.Null(runs.Get(name).ExportMismatch);
}
