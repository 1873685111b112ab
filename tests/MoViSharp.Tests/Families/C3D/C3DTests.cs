using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Families.C3D;
using MoViSharp.Inference;
using MoViSharp.Labels;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Tests.Zoo;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.C3D;

/// <summary>C3D's registration, figures, recipe (0…255 input), clip check, the tiny real file and fine-tuning.</summary>
public sealed class C3DTests(ITestOutputHelper output)
{
    [Fact]
    public void InfoReportsTheUpstreamParameterCountAndThePublishedMultiplyAdds()
    {
        var result = InProcessCli.Run("info", "c3d", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var info = json.RootElement;
        var manifest = UpstreamReference.Manifest("c3d");
        Assert.Equal(79_991_015, info.GetProperty("params").GetInt64());
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), info.GetProperty("params").GetInt64());
        long macs = info.GetProperty("macs").GetInt64();
        Assert.Equal(manifest.GetProperty("macs_default").GetInt64(), macs);
        Assert.InRange(macs / 1e9 / ModelRegistry.Entry("c3d").Weights!.GigaMultiplyAdds!.Value, 0.99, 1.01);
        Assert.Equal(487, info.GetProperty("classes").GetInt32());
    }

    [Fact]
    public void AnotherClipSizeIsAClearError()
    {
        var result = InProcessCli.Run("info", "c3d", "--frames", "8", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("C3D's fc6 reads a 1×4×4 pool5 map (a 16×112² clip), but a 8×112×112 clip does not give one", result.Stderr);
        Assert.Equal((1, 4, 4), C3DConfig.MapFor(16, 112));
        Assert.Equal((0, 0, 0), C3DConfig.MapFor(1, 1, 1));
    }

    [Fact]
    public void RegistryEntryCarriesTheSports1MRecipeAndLabels()
    {
        var entry = ModelRegistry.Entry("c3d");
        Assert.Equal((C3DFamily.FamilyName, "sports1m"), (entry.Family, entry.Weights!.LabelSet));
        var labels = LabelSets.TryGet("sports1m")!;
        Assert.Equal(487, labels.Count);
        Assert.Equal(487, labels.Distinct().Count());
        var p = entry.Config.Preprocessing;
        Assert.Equal((16, 112, (112, 200), 255f, (double?)null), (p.Frames, p.Size, p.ResizeTo!.Value, p.ValueScale, p.Fps));
        Assert.Equal([0f, 0f, 0f], p.Mean);
        Assert.Equal([1f, 1f, 1f], p.Std);
        Assert.True(p.Normalizes);       // ×255
        Assert.Equal(labels, CheckpointLoader.ShippedLabels(entry.Config));
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonWithItsFamily()
    {
        var tiny = C3DTestFiles.TinyConfig();
        string json = ModelConfigFile.Write(tiny);
        using (var doc = JsonDocument.Parse(json)) Assert.Equal("c3d", doc.RootElement.GetProperty("family").GetString());
        var back = Assert.IsType<C3DConfig>(ModelConfigFile.Parse(json, "test"));
        Assert.True(back.SameArchitecture(tiny));
        Assert.Equal(json, ModelConfigFile.Write(back));
        Assert.Equal((1, 2, 2), tiny.FeatureMap);
        var bad = Assert.Throws<InvalidDataException>(() => ModelConfigFile.Parse("""{"family":"c3d","classes":3,"stages":[[4],[4]]}""", "mine.json"));
        Assert.Contains("mine.json", bad.Message);
        Assert.Contains("five stages", bad.Message);
    }

    [Fact]
    public void TheTinyConversionStateDictReproducesTheConversionsLogitsAndExportsBack()
    {
        using var scope = NewDisposeScope();
        using var tensors = C3DTestFiles.TinyStateDict();
        var layout = new C3DPytorchLayout();
        Assert.True(layout.Matches(tensors));
        using var model = layout.Load(tensors, "c3d_tiny", new CheckpointHints());
        Assert.True(((C3DConfig)model.Config).SameArchitecture(C3DTestFiles.TinyConfig()));
        Assert.Equal(C3DTestFiles.Tiny.Config.GetProperty("parameters").GetInt64(), model.ParameterCount);
        var file = C3DTestFiles.Tiny;
        using (inference_mode())
        {
            var logits = model.forward(C3DTestFiles.TinyInput());
            double difference = UpstreamReference.MaxAbsDifference(file.Logits, logits);
            output.WriteLine($"c3d_tiny (in memory): max |Δlogit| {difference:G3}");
            Assert.True(difference <= UpstreamReference.Tolerance(file.Logits));
            // The compiled clip path (normalising 0…1 input to 0…255 itself) equals the plain model on the scaled input.
            var clip = C3DTestFiles.TinyInput().div(255);
            var compiled = ModelCompiler.Compile(model).ClipLogits(clip).select(1, -1);
            Assert.True(compiled.sub(model.forward(clip.mul(255))).abs().max().item<float>() <= 1e-4);
        }
        using var exported = layout.Export(model);
        Assert.Equal(tensors.Names, exported.Names);
        foreach (var name in tensors.Names) Assert.True(UpstreamReference.Same(tensors[name], exported[name]), name);
    }

    [Fact]
    public void PredictReproducesTheConversionsLogitsFromTheRealTinyPickle()
    {
        var file = C3DTestFiles.Tiny;
        string logitsPath = InProcessCli.Temp("logits.npy");
        var result = InProcessCli.Run("predict", "--weights", file.Checkpoint, "--input", file.InputNpy, "--output", logitsPath);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (logits, shape) = NpyFile.ReadFloat32(logitsPath);
        Assert.Equal([1, 5], shape);
        Assert.True(file.Logits.Zip(logits).Max(p => Math.Abs(p.First - p.Second)) <= UpstreamReference.Tolerance(file.Logits));
    }

    [Fact]
    public void TheReleasedPickleSubsetHoldsTheLayoutsNamesAndShapes()
    {
        using var scope = NewDisposeScope();
        var subset = new TinyUpstreamFile("c3d_subset");
        using var tensors = TorchCheckpointReader.Read(subset.Checkpoint);
        using var model = ModelRegistry.Create("c3d");
        var expected = C3DPytorchLayout.Mappings((C3DNet)model).Select(m => m.SourceKey).ToHashSet();
        using var upstream = UpstreamReference.DeterministicStateDict(UpstreamReference.Manifest("c3d"));
        foreach (var name in tensors.Names)
        {
            Assert.Contains(name, expected);
            Assert.True(UpstreamReference.Same(upstream[name], tensors[name]), name);
        }
    }

    [Fact]
    public void MismatchedFilesAreRefusedClearly()
    {
        using var scope = NewDisposeScope();
        using var tensors = C3DTestFiles.TinyStateDict();
        using var oddFc6 = new NamedTensors();
        foreach (var name in tensors.Names) oddFc6.Add(name, name == "fc6.weight" ? zeros([4, 8191]) : tensors[name].clone());
        var odd = Assert.Throws<InvalidDataException>(() => new C3DPytorchLayout().Load(oddFc6, "odd.pickle", new CheckpointHints()));
        Assert.Contains("fc6 takes 8191 inputs", odd.Message);

        var published = Assert.Throws<CheckpointMismatchException>(() => new C3DPytorchLayout().Load(tensors, "tiny.pickle", new CheckpointHints(Model: "c3d")));
        Assert.Contains("conv1.weight is [4, 3, 3, 3, 3], expected [64, 3, 3, 3, 3] for conv1.weight", published.ShapeMismatches);
        Assert.Contains("fc6.weight is [4, 8192], expected [4096, 512, 1, 4, 4] for fc6.weight", published.ShapeMismatches);
    }

    [Fact]
    public void FineTunesOnlyFc8WithAFrozenBackbone()
    {
        string root = Directory.CreateTempSubdirectory("c3d-train").FullName, data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
        string init = Path.Combine(root, "tiny.safetensors");
        using (var scope = NewDisposeScope())
        using (var tensors = C3DTestFiles.TinyStateDict())
        using (var model = new C3DPytorchLayout().Load(tensors, "c3d_tiny", new CheckpointHints()))
            MoViSharpCheckpoint.Save(init, model);
        MoViSharp.Data.Synthetic.SyntheticDatasetWriter.Write(data, perClass: 1, seed: 6, frames: 16, size: 32);
        var train = InProcessCli.Run("train", "--data", data, "--init", init, "--freeze-backbone", "--frames", "16", "--size", "32",
            "--epochs", "1", "--batch", "8", "--lr", "0.1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var (trained, _) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        var (start, _) = MoViSharpCheckpoint.Load(init);
        using (trained)
        using (start)
        {
            var before = start.state_dict();
            foreach (var (name, tensor) in trained.state_dict())
                if (name.StartsWith("fc8.", StringComparison.Ordinal)) Assert.Equal(15, tensor.shape[0]);
                else Assert.True(UpstreamReference.Same(before[name], tensor), $"{name} changed although the backbone was frozen");
        }
    }
}
