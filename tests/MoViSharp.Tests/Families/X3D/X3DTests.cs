using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Families.X3D;
using MoViSharp.Inference;
using MoViSharp.Labels;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.X3D;

/// <summary>X3D's registration, counts, configuration, clip checks, and the real tiny PyTorchVideo file through the CLI.</summary>
public sealed class X3DTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names() => new("x3d_xs", "x3d_s", "x3d_m", "x3d_l");

    private static JsonElement Info(params string[] args)
    {
        var result = InProcessCli.Run(["info", .. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void InfoReportsTheUpstreamCountsAndThePublishedMultiplyAdds(string name)
    {
        var info = Info(name);
        var manifest = UpstreamReference.Manifest(name);
        var published = ModelRegistry.Entry(name).Weights!;
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), info.GetProperty("params").GetInt64());
        Assert.Equal(published.Parameters, info.GetProperty("params").GetInt64());
        long macs = info.GetProperty("macs").GetInt64();
        Assert.Equal(manifest.GetProperty("macs_default").GetInt64(), macs);
        output.WriteLine($"{name}: {info.GetProperty("params").GetInt64():N0} parameters, {macs / 1e9:F3} GMACs (published {published.GigaMultiplyAdds})");
        Assert.InRange(macs / 1e9 / published.GigaMultiplyAdds!.Value, 0.99, 1.01);
        Assert.False(info.GetProperty("streamable").GetBoolean());
    }

    [Fact]
    public void XlFromThePaperTableHasItsPublishedCounts()
    {
        var info = Info("x3d_xl");
        long parameters = info.GetProperty("params").GetInt64(), macs = info.GetProperty("macs").GetInt64();
        output.WriteLine($"x3d_xl: {parameters:N0} parameters, {macs / 1e9:F3} GMACs (paper: 11.0 M, 35.84 G)");
        Assert.InRange(macs / 1e9, 35.84 * 0.99, 35.84 * 1.01);
        Assert.InRange(parameters / 1e6, 11.0 * 0.99, 11.0 * 1.02);      // 11.1 M by PyTorchVideo's rounding; the paper rounds down
        var config = (X3DConfig)ModelRegistry.Config("x3d_xl");
        Assert.Equal([32, 72, 136, 280], config.StageWidths);
        Assert.Equal([72, 162, 306, 630], config.InnerWidths);
        Assert.Equal([5, 10, 25, 15], config.Depths);
        Assert.Null(ModelRegistry.Entry("x3d_xl").Weights);
    }

    [Fact]
    public void WidthsDepthsAndHeadPoolFollowPyTorchVideosRounding()
    {
        var s = (X3DConfig)ModelRegistry.Config("x3d_s");
        Assert.Equal((24, 8), (s.StemWidth, s.SeWidths[0]));
        Assert.Equal([24, 48, 96, 192], s.StageWidths);
        Assert.Equal([54, 108, 216, 432], s.InnerWidths);
        Assert.Equal([3, 5, 11, 7], s.Depths);
        Assert.Equal([8, 8, 16, 32], s.SeWidths);
        Assert.Equal((13, 5, 5), s.HeadPool);
        Assert.Equal((16, 10, 10), ((X3DConfig)ModelRegistry.Config("x3d_l")).HeadPool);          // 312/32 rounds up
        Assert.Equal([5, 10, 25, 15], ((X3DConfig)ModelRegistry.Config("x3d_l")).Depths);
        Assert.Equal(8, X3DSpecs.RoundWidth(12, 0.5));
    }

    [Fact]
    public void RegistryEntryCarriesTheHubRecipeAndFigures()
    {
        var entry = ModelRegistry.Entry("x3d_m");
        Assert.Equal(X3DFamily.FamilyName, entry.Family);
        Assert.Equal((LabelSets.Kinetics400, 75.94), (entry.Weights!.LabelSet, entry.Weights.Top1));
        var p = entry.Config.Preprocessing;
        Assert.Equal((16, 224, 256, 30.0, 5), (p.Frames, p.Size, p.ResizeShortSide!.Value, p.Fps!.Value, p.FrameStride));
        Assert.Equal([0.45f, 0.45f, 0.45f], p.Mean);
        Assert.Equal([0.225f, 0.225f, 0.225f], p.Std);
    }

    [Fact]
    public void TooSmallAClipIsAClearErrorNotALibtorchFailure()
    {
        var result = InProcessCli.Run("info", "x3d_m", "--size", "112", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fixed 16×7×7 window, but a 16×112×112 clip leaves a 16×4×4 feature map", result.Stderr);
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonAndTrainingRebuildsTheHeadPool()
    {
        var tiny = X3DTestFiles.TinyConfig();
        string json = ModelConfigFile.Write(tiny);
        using (var doc = JsonDocument.Parse(json)) Assert.Equal("x3d", doc.RootElement.GetProperty("family").GetString());
        var back = Assert.IsType<X3DConfig>(ModelConfigFile.Parse(json, "test"));
        Assert.True(back.SameArchitecture(tiny));
        Assert.Equal(json, ModelConfigFile.Write(back));
        var training = (X3DConfig)ModelRegistry.Config("x3d_s").ForTraining(8, 64);
        Assert.Equal((8, 2, 2), training.HeadPool);
        Assert.True(training.SameWeights((X3DConfig)ModelRegistry.Config("x3d_s")));
    }

    [Fact]
    public void PredictReproducesPyTorchVideoLogitsOfARealTinyFile()
    {
        var file = X3DTestFiles.Tiny;
        string logitsPath = InProcessCli.Temp("logits.npy");
        var result = InProcessCli.Run("predict", "--weights", file.Checkpoint, "--config", X3DTestFiles.TinyConfigFile(), "--input", file.InputNpy, "--output", logitsPath);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (logits, shape) = NpyFile.ReadFloat32(logitsPath);
        Assert.Equal([1, 5], shape);
        double difference = file.Logits.Zip(logits).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"{file.Checkpoint}: max |Δlogit| {difference:G3}");
        Assert.True(difference <= UpstreamReference.Tolerance(file.Logits), $"max |Δlogit| {difference:G3}");
    }

    [Fact]
    public void TheLayoutReadsTheArchitectureFromTheKeysAndRefusesOtherFiles()
    {
        using var scope = NewDisposeScope();
        var file = X3DTestFiles.Tiny;
        using var tensors = TorchCheckpointReader.Read(file.Checkpoint);
        var layout = new PyTorchVideoX3DLayout();
        Assert.True(layout.Matches(tensors));
        using var loaded = layout.Load(tensors, file.Checkpoint, new CheckpointHints());
        var config = Assert.IsType<X3DConfig>(loaded.Config);
        Assert.Equal("custom", config.Name);
        Assert.True(config.SameWeights(X3DTestFiles.TinyConfig()), ModelConfigFile.Write(config));
        Assert.Equal(file.Config.GetProperty("parameters").GetInt64(), loaded.ParameterCount);

        var refused = Assert.Throws<CheckpointMismatchException>(() => layout.Load(tensors, "tiny.pyth", new CheckpointHints(Model: "x3d_s")));
        Assert.Contains("blocks.0.conv.conv_t.weight is [8, 3, 1, 3, 3], expected [24, 3, 1, 3, 3]", refused.Message);
        var other = InProcessCli.Run("predict", "--model", "r3d_18", "--weights", file.Checkpoint, "--input", file.InputNpy, "--output", InProcessCli.Temp("y.npy"));
        Assert.Equal(1, other.ExitCode);
    }

    [Fact]
    public void StrictLoadingListsMissingUnexpectedAndMisShapedKeysAtOnce()
    {
        using var scope = NewDisposeScope();
        using var original = TorchCheckpointReader.Read(X3DTestFiles.Tiny.Checkpoint);
        using var broken = new NamedTensors();
        foreach (var name in original.Names)
        {
            if (name == "blocks.2.res_blocks.0.branch1_norm.running_var") continue;                                   // missing
            var tensor = name == "blocks.3.res_blocks.0.branch2.norm_b.1.block.0.weight" ? original[name].flatten(1) : original[name];   // mis-shaped
            broken.Add(name, tensor.clone());
        }
        broken.Add("blocks.1.res_blocks.0.branch1_norm.weight", zeros(8));                                             // res2 has no shortcut BN
        var error = Assert.Throws<CheckpointMismatchException>(() =>
            new PyTorchVideoX3DLayout().Load(broken, "broken.pyth", new CheckpointHints(Architecture: X3DTestFiles.TinyConfig())));
        Assert.Equal(["blocks.2.res_blocks.0.branch1_norm.running_var"], error.Missing);
        Assert.Equal(["blocks.1.res_blocks.0.branch1_norm.weight"], error.Unexpected);
        Assert.Single(error.ShapeMismatches, s => s.StartsWith("blocks.3.res_blocks.0.branch2.norm_b.1.block.0.weight is [8, 54]", StringComparison.Ordinal));
    }

    [Fact]
    public void CompiledClipPathEqualsThePlainModel()
    {
        using var scope = NewDisposeScope();
        var file = X3DTestFiles.Tiny;
        using var loaded = CheckpointLoader.Load(file.Checkpoint, new CheckpointHints(Architecture: X3DTestFiles.TinyConfig()));
        var model = loaded.Model;
        var (t, h, w) = file.InputSize;
        var clip = UpstreamReference.Input(t, h, w);
        using var _ = inference_mode();
        var compiled = ModelCompiler.Compile(model).ClipLogits(clip).select(1, -1);
        var plain = model.forward(Normalization.Apply(clip, model.Config.Preprocessing));
        Assert.True(compiled.sub(plain).abs().max().item<float>() <= 1e-4);
        Assert.Contains("averages over the whole clip", model.NotStreamableReason);      // SE and the output pool; the temporal convs stream
    }

    [Fact]
    public void ConvertToMoViSharpAndBackToPyTorchVideoIsBitExact()
    {
        var file = X3DTestFiles.Tiny;
        string ours = InProcessCli.Temp("ours.safetensors"), back = InProcessCli.Temp("back.safetensors");
        var toOurs = InProcessCli.Run("convert", "--from", file.Checkpoint, "--config", X3DTestFiles.TinyConfigFile(), "--to", ours);
        Assert.True(toOurs.ExitCode == 0, toOurs.Stderr);
        var toUpstream = InProcessCli.Run("convert", "--from", ours, "--to", back, "--layout", "pytorchvideo");
        Assert.True(toUpstream.ExitCode == 0, toUpstream.Stderr);
        // As a hub file: a torch.save archive with the state dict under model_state, read back through the same reader.
        string backPyth = InProcessCli.Temp("back.pyth");
        var toPyth = InProcessCli.Run("convert", "--from", ours, "--to", backPyth, "--layout", "pytorchvideo");
        Assert.True(toPyth.ExitCode == 0, toPyth.Stderr);
        using var original = TorchCheckpointReader.Read(file.Checkpoint);
        foreach (var roundTrip in new[] { SafeTensorsFile.Read(back), TorchCheckpointReader.Read(backPyth) })
            using (roundTrip)
            {
                Assert.Equal(original.Names.Order(StringComparer.Ordinal), roundTrip.Names.Order(StringComparer.Ordinal));
                foreach (var name in original.Names) Assert.True(UpstreamReference.Same(original[name], roundTrip[name]), name);
            }
    }

    [Fact]
    public void APyTorchVideoFileFineTunesWithAFrozenBackboneAtASmallClip()
    {
        var file = X3DTestFiles.Tiny;
        string root = Directory.CreateTempSubdirectory("x3d-train").FullName, data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
        MoViSharp.Data.Synthetic.SyntheticDatasetWriter.Write(data, perClass: 1, seed: 5, frames: 4, size: 32);
        // Unhinted, the file's clip is X3D-M's; training at 4×32² rebuilds the head pool for the 1×1 map.
        var train = InProcessCli.Run("train", "--data", data, "--init", file.Checkpoint, "--freeze-backbone", "--frames", "4", "--size", "32",
            "--epochs", "1", "--batch", "8", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var (model, _) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        using (model)
        {
            var config = Assert.IsType<X3DConfig>(model.Config);
            Assert.Equal(((4, 1, 1), 15), (config.HeadPool, config.NumClasses));
        }
    }
}
