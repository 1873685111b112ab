using System.Text.Json;
using MoViSharp.Families.BLVNetTAM;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.BLVNetTAM;

public sealed class BlvnetReferenceRuns : ReferenceRuns
{
    protected override ICheckpointLayout Layout(string name) => new BlvnetReleaseLayout();
}

/// <summary>
/// bLVNet-TAM-50 (α 2, β 4, f8×2) against IBM/bLVNet-TAM on the deterministic weights (16×224² and 16×64²): the bare state dict
/// loads strictly and unhinted as blvnet_tam_r50, logits match, the export is bit-exact, counts are the upstream module's, the
/// release subset keeps its names, and mismatched files and odd clips are refused clearly.
/// </summary>
public sealed class BlvnetTests(BlvnetReferenceRuns runs, ITestOutputHelper output) : IClassFixture<BlvnetReferenceRuns>
{
    [Fact]
    public void LogitsMatchTheUpstreamModelOnTheDeterministicWeights()
    {
        var outcome = runs.Get("blvnet_tam_r50");
        Assert.Equal("blvnet_tam_r50", outcome.LoadedName);
        Assert.Equal(2, outcome.Upstream.Count);
        foreach (var (run, difference, tolerance) in outcome.Upstream)
        {
            output.WriteLine($"blvnet_tam_r50 {run}: max |Δlogit| {difference:G3} (tolerance {tolerance:G3}), loaded and run in {outcome.Seconds:F1} s");
            Assert.True(difference <= tolerance, $"{run}: max |Δlogit| {difference:G3} > {tolerance:G3}");
        }
    }

    [Fact]
    public void ExportIsTheUpstreamStateDictBitForBit() => Assert.Null(runs.Get("blvnet_tam_r50").ExportMismatch);

    [Fact]
    public void ParametersAndMultiplyAddsAreTheUpstreamCounts()
    {
        var manifest = UpstreamReference.Manifest("blvnet_tam_r50");
        using var model = ModelRegistry.Create("blvnet_tam_r50");
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), model.ParameterCount);
        Assert.Equal(ModelRegistry.Entry("blvnet_tam_r50").Weights!.Parameters, model.ParameterCount);
        foreach (var run in manifest.GetProperty("runs").EnumerateArray())
            Assert.Equal(run.GetProperty("macs").GetInt64(),
                model.Trace(run.GetProperty("T").GetInt32(), run.GetProperty("H").GetInt32(), run.GetProperty("W").GetInt32()).MultiplyAdds);
        Assert.False(model.Streamable);
        var p = model.Config.Preprocessing;
        Assert.Equal((16, 224, (int?)224), (p.Frames, p.Size, p.ResizeShortSide));
    }

    [Fact]
    public void TheReleaseSubsetKeepsTheLayoutsNamesAndValues()
    {
        using var scope = NewDisposeScope();
        var subset = new TinyUpstreamFile("blvnet_tam_r50_subset");
        using var tensors = TorchCheckpointReader.Read(subset.Checkpoint);
        using var model = ModelRegistry.Create("blvnet_tam_r50");
        var mappings = BlvnetReleaseLayout.Mappings((BlvnetNet)model).Select(m => m.SourceKey).ToList();
        using var upstream = UpstreamReference.DeterministicStateDict(UpstreamReference.Manifest("blvnet_tam_r50"));
        Assert.Equal(upstream.Names, mappings);
        foreach (var name in tensors.Names)
        {
            Assert.Contains(name, mappings);
            Assert.True(UpstreamReference.Same(upstream[name], tensors[name]), name);
        }
        // The subset alone is no complete model: loading it names what is missing.
        var partial = Assert.Throws<InvalidDataException>(() => new BlvnetReleaseLayout().Load(tensors, "subset.pth.tar", new CheckpointHints(Model: "blvnet_tam_r50")));
        Assert.Contains("subset.pth.tar is not a complete bLVNet-TAM state dict", partial.Message);
    }

    [Fact]
    public void MismatchedFilesAndOddClipsAreRefusedClearly()
    {
        using var scope = NewDisposeScope();
        using var tensors = UpstreamReference.DeterministicStateDict(UpstreamReference.Manifest("blvnet_tam_r50"));
        using var odd = new NamedTensors();
        foreach (var name in tensors.Names) odd.Add(name, name == "baseline_model.layer2.tam.curr.weight" ? zeros([255, 1, 1, 1]) : tensors[name]);
        var shape = Assert.Throws<CheckpointMismatchException>(() => new BlvnetReleaseLayout().Load(odd, "odd.pth.tar", new CheckpointHints()));
        Assert.Contains("baseline_model.layer2.tam.curr.weight is [255, 1, 1, 1], expected [256, 1, 1, 1, 1] for layer2.tam.curr.weight", shape.ShapeMismatches);

        using var noStem = new NamedTensors();
        foreach (var name in tensors.Names.Where(n => !n.StartsWith("baseline_model.l_conv0", StringComparison.Ordinal))) noStem.Add(name, tensors[name]);
        var missing = Assert.Throws<InvalidDataException>(() => new BlvnetReleaseLayout().Load(noStem, "nostem.pth.tar", new CheckpointHints()));
        Assert.Contains("it has no 'baseline_model.l_conv0.weight'", missing.Message);

        var json = Assert.Throws<InvalidDataException>(() => ModelConfigFile.Parse("""{"family":"blvnet_tam","classes":5,"frames":15}""", "mine.json"));
        Assert.Contains("even number of frames", json.Message);
        using var model = ModelRegistry.Create("blvnet_tam_r50");
        var clip = Assert.Throws<ArgumentException>(() => model.forward(zeros([1, 3, 3, 32, 32])));
        Assert.Contains("even number of frames, got 3", clip.Message);
    }

    [Fact]
    public void ConfigRoundTripsThroughJson()
    {
        string json = ModelConfigFile.Write(BlvnetFamily.Published);
        using (var doc = JsonDocument.Parse(json)) Assert.Equal("blvnet_tam", doc.RootElement.GetProperty("family").GetString());
        var back = Assert.IsType<BlvnetConfig>(ModelConfigFile.Parse(json, "test"));
        Assert.True(back.SameWeights(BlvnetFamily.Published));
        Assert.Equal(json, ModelConfigFile.Write(back));
    }
}
