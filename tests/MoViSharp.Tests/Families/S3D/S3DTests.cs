using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Families.S3D;
using MoViSharp.Inference;
using MoViSharp.Labels;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.S3D;

/// <summary>S3D's registration, figures, configuration, clip checks, and the real tiny torchvision file through the CLI.</summary>
public sealed class S3DTests(ITestOutputHelper output)
{
    [Fact]
    public void InfoReportsTheUpstreamParameterCountAndThePublishedMultiplyAdds()
    {
        var result = InProcessCli.Run("info", "s3d", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var info = json.RootElement;
        var manifest = UpstreamReference.Manifest("s3d");
        var published = ModelRegistry.Entry("s3d").Weights!;
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), info.GetProperty("params").GetInt64());
        Assert.Equal(published.Parameters, info.GetProperty("params").GetInt64());
        long macs = info.GetProperty("macs").GetInt64();
        Assert.Equal(manifest.GetProperty("macs_default").GetInt64(), macs);
        Assert.InRange(macs / 1e9 / published.GigaMultiplyAdds!.Value, 0.99, 1.01);
        Assert.False(info.GetProperty("streamable").GetBoolean());
    }

    [Fact]
    public void TooSmallAClipIsAClearErrorNotALibtorchFailure()
    {
        var result = InProcessCli.Run("info", "s3d", "--size", "112", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fixed 2×7×7 window, but a 16×112×112 clip leaves a 2×3×3 feature map", result.Stderr);
        Assert.Equal((2L, 7L, 7L), S3DConfig.FinalMap(16, 224));
        Assert.Equal((0L, 0L, 0L), S3DConfig.FinalMap(0, 0, 0));
    }

    [Fact]
    public void RegistryEntryCarriesTheTorchvisionRecipeAndFigures()
    {
        var entry = ModelRegistry.Entry("s3d");
        Assert.Equal(S3DFamily.FamilyName, entry.Family);
        Assert.Equal((LabelSets.Kinetics400, 68.368), (entry.Weights!.LabelSet, entry.Weights.Top1));
        Assert.Contains("128 frames", entry.Weights.Top1Protocol);
        var p = entry.Config.Preprocessing;
        Assert.Equal((16, 224, (256, 256), 15.0), (p.Frames, p.Size, p.ResizeTo!.Value, p.Fps!.Value));
        Assert.Equal([0.43216f, 0.394666f, 0.37645f], p.Mean);
        var config = (S3DConfig)entry.Config;
        Assert.Equal((0.001, 0.001, (2, 7, 7)), (config.BatchNormEpsilon, config.BatchNormMomentum, config.HeadPool));
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonAndTrainingShrinksOnlyTheHeadPool()
    {
        var tiny = S3DTestFiles.TinyConfig();
        string json = ModelConfigFile.Write(tiny);
        using (var doc = JsonDocument.Parse(json)) Assert.Equal("s3d", doc.RootElement.GetProperty("family").GetString());
        var back = Assert.IsType<S3DConfig>(ModelConfigFile.Parse(json, "test"));
        Assert.True(back.SameArchitecture(tiny));
        Assert.Equal(json, ModelConfigFile.Write(back));

        var published = (S3DConfig)ModelRegistry.Config("s3d");
        var training = (S3DConfig)published.ForTraining(16, 64);
        Assert.Equal((2, 2, 2), training.HeadPool);                 // 16×64² leaves a 2×2×2 map
        Assert.Equal((16, 64, (73, 73)), (training.Preprocessing.Frames, training.Preprocessing.Size, training.Preprocessing.ResizeTo!.Value));
        Assert.True(training.SameArchitecture(published with { HeadPool = training.HeadPool }));
        Assert.Equal((2, 7, 7), ((S3DConfig)published.ForTraining(16, 224)).HeadPool);
    }

    [Fact]
    public void PredictReproducesTorchvisionLogitsOfARealTinyFile()
    {
        var file = S3DTestFiles.Tiny;
        string logitsPath = InProcessCli.Temp("logits.npy");
        var result = InProcessCli.Run("predict", "--weights", file.Checkpoint, "--config", S3DTestFiles.TinyConfigFile(), "--input", file.InputNpy, "--output", logitsPath);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (logits, shape) = NpyFile.ReadFloat32(logitsPath);
        Assert.Equal([1, 5], shape);
        double difference = file.Logits.Zip(logits).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"{file.Checkpoint}: max |Δlogit| {difference:G3}");
        Assert.True(difference <= UpstreamReference.Tolerance(file.Logits), $"max |Δlogit| {difference:G3}");

        // Without --config the keys give everything but the head pool, which stays torchvision's 2×7×7: the clip is refused clearly.
        var unhinted = InProcessCli.Run("predict", "--weights", file.Checkpoint, "--input", file.InputNpy, "--output", InProcessCli.Temp("x.npy"));
        Assert.Equal(1, unhinted.ExitCode);
        Assert.Contains("fixed 2×7×7 window", unhinted.Stderr);
    }

    [Fact]
    public void TheLayoutReadsTheArchitectureFromTheKeysAndRefusesOtherFiles()
    {
        using var scope = NewDisposeScope();
        var file = S3DTestFiles.Tiny;
        using var tensors = TorchCheckpointReader.Read(file.Checkpoint);
        var layout = new TorchvisionS3DLayout();
        Assert.True(layout.Matches(tensors));
        using var loaded = layout.Load(tensors, "tiny", new CheckpointHints());
        var config = Assert.IsType<S3DConfig>(loaded.Config);
        var expected = S3DTestFiles.TinyConfig() with { HeadPool = (2, 7, 7) };
        Assert.True(config.SameArchitecture(expected), ModelConfigFile.Write(config));
        Assert.Equal(file.Config.GetProperty("parameters").GetInt64(), loaded.ParameterCount);

        var refused = Assert.Throws<MoViSharp.Weights.Layouts.CheckpointMismatchException>(() => layout.Load(tensors, "tiny.pth", new CheckpointHints(Model: "s3d")));
        Assert.Contains("features.0.0.0.weight is [8, 3, 1, 7, 7], expected [64, 3, 1, 7, 7]", refused.Message);
    }

    [Fact]
    public void CompiledClipPathEqualsThePlainModel()
    {
        using var scope = NewDisposeScope();
        var file = S3DTestFiles.Tiny;
        using var loaded = CheckpointLoader.Load(file.Checkpoint, new CheckpointHints(Architecture: S3DTestFiles.TinyConfig()));
        var model = loaded.Model;
        var (t, h, w) = file.InputSize;
        var clip = UpstreamReference.Input(t, h, w);
        using var _ = inference_mode();
        var compiled = ModelCompiler.Compile(model).ClipLogits(clip).select(1, -1);
        var plain = model.forward(Normalization.Apply(clip, model.Config.Preprocessing));
        Assert.True(compiled.sub(plain).abs().max().item<float>() <= 1e-4);
        Assert.Contains("runs on clips only", model.NotStreamableReason);       // its max pools span frames
    }

    [Fact]
    public void ConvertToMoViSharpAndBackToTorchvisionIsBitExact()
    {
        var file = S3DTestFiles.Tiny;
        string ours = InProcessCli.Temp("ours.safetensors"), back = InProcessCli.Temp("back.safetensors");
        var toOurs = InProcessCli.Run("convert", "--from", file.Checkpoint, "--config", S3DTestFiles.TinyConfigFile(), "--to", ours);
        Assert.True(toOurs.ExitCode == 0, toOurs.Stderr);
        var toTorchvision = InProcessCli.Run("convert", "--from", ours, "--to", back, "--layout", "torchvision");
        Assert.True(toTorchvision.ExitCode == 0, toTorchvision.Stderr);
        using var original = TorchCheckpointReader.Read(file.Checkpoint);
        using var roundTrip = SafeTensorsFile.Read(back);
        Assert.Equal(original.Names.Order(StringComparer.Ordinal), roundTrip.Names.Order(StringComparer.Ordinal));
        foreach (var name in original.Names) Assert.True(UpstreamReference.Same(original[name], roundTrip[name]), name);
    }

    [Fact]
    public void ATorchvisionFileFineTunesWithAFrozenBackboneAtASmallClip()
    {
        var file = S3DTestFiles.Tiny;
        string root = Directory.CreateTempSubdirectory("s3d-train").FullName, data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
        MoViSharp.Data.Synthetic.SyntheticDatasetWriter.Write(data, perClass: 1, seed: 5, frames: 8, size: 32);
        // Unhinted, the file's head pool is torchvision's 2×7×7; training at 8×32² shrinks it to the 1×1×1 map.
        var train = InProcessCli.Run("train", "--data", data, "--init", file.Checkpoint, "--freeze-backbone", "--frames", "8", "--size", "32",
            "--epochs", "1", "--batch", "8", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var (model, _) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        using (model)
        {
            var config = Assert.IsType<S3DConfig>(model.Config);
            Assert.Equal(((1, 1, 1), 15), (config.HeadPool, config.NumClasses));
        }
    }
}
