using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Families.Continual;
using MoViSharp.Families.SlowFast;
using MoViSharp.Inference;
using MoViSharp.Labels;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.SlowFast;

/// <summary>Slow/SlowFast registration, counts, configuration, the slow frame sampling, the real tiny PyTorchVideo file, and CoSlow.</summary>
public sealed class SlowFastTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names() => new(SlowFastSpecs.Names);

    private static JsonElement Info(params string[] args)
    {
        var result = InProcessCli.Run(["info", .. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void InfoReportsTheUpstreamCountsAndThePublishedMultiplyAddsAtTheTestCrop(string name)
    {
        var info = Info(name);
        var manifest = UpstreamReference.Manifest(name);
        var published = ModelRegistry.Entry(name).Weights!;
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), info.GetProperty("params").GetInt64());
        Assert.Equal(published.Parameters, info.GetProperty("params").GetInt64());
        Assert.Equal(manifest.GetProperty("macs_default").GetInt64(), info.GetProperty("macs").GetInt64());
        // PyTorchVideo's zoo counts at the 256² test crop, where the fixed 7×7 pool leaves 2×2 for the output pool.
        long at256 = Info(name, "--size", "256").GetProperty("macs").GetInt64();
        output.WriteLine($"{name}: {info.GetProperty("macs").GetInt64() / 1e9:F3} GMACs at 224², {at256 / 1e9:F3} at 256² (published {published.GigaMultiplyAdds})");
        Assert.InRange(at256 / 1e9 / published.GigaMultiplyAdds!.Value, 0.99, 1.01);
    }

    [Fact]
    public void TheSlowPathwayTakesLinspaceFramesTruncated()
    {
        var config = SlowFastSpecs.Get("slowfast_r50");
        Assert.Equal([0L, 4, 8, 13, 17, 22, 26, 31], config.SlowIndices(32));
        Assert.Equal([0L, 5, 10, 15], SlowFastTestFiles.TinyConfig().SlowIndices(16));
        Assert.Equal(((8, 7, 7), (32, 7, 7)), (config.SlowHeadPool, config.FastHeadPool));
        Assert.Contains("at least α = 4 frames", Assert.Throws<ArgumentException>(() => config.SlowIndices(3)).Message);
    }

    [Fact]
    public void RegistryEntriesCarryTheHubRecipeAndFigures()
    {
        var entry = ModelRegistry.Entry("slowfast_r50");
        Assert.Equal(SlowFastFamily.FamilyName, entry.Family);
        Assert.Equal((LabelSets.Kinetics400, 76.94), (entry.Weights!.LabelSet, entry.Weights.Top1));
        var p = entry.Config.Preprocessing;
        Assert.Equal((32, 224, 256, 30.0, 2), (p.Frames, p.Size, p.ResizeShortSide!.Value, p.Fps!.Value, p.FrameStride));
        Assert.Equal([0.45f, 0.45f, 0.45f], p.Mean);
        var slow = ModelRegistry.Entry("slow_r50").Config.Preprocessing;
        Assert.Equal((8, 8), (slow.Frames, slow.FrameStride));
    }

    [Fact]
    public void TooSmallAClipIsAClearError()
    {
        var result = InProcessCli.Run("info", "slowfast_r50", "--frames", "16", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fixed 8×7×7 window of the slow pathway, but a 16×224×224 clip leaves a 4×7×7 feature map", result.Stderr);
    }

    [Fact]
    public void ConfigRoundTripsThroughJson()
    {
        foreach (var config in new[] { SlowFastTestFiles.TinyConfig(), SlowFastSpecs.Get("slow_r50") })
        {
            string json = ModelConfigFile.Write(config);
            var back = Assert.IsType<SlowFastConfig>(ModelConfigFile.Parse(json, "test"));
            Assert.True(back.SameArchitecture(config));
            Assert.Equal(json, ModelConfigFile.Write(back));
        }
    }

    [Fact]
    public void PredictReproducesPyTorchVideoLogitsOfARealTinyFile()
    {
        var file = SlowFastTestFiles.Tiny;
        string logitsPath = InProcessCli.Temp("logits.npy");
        var result = InProcessCli.Run("predict", "--weights", file.Checkpoint, "--config", SlowFastTestFiles.TinyConfigFile(), "--input", file.InputNpy, "--output", logitsPath);
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
        var file = SlowFastTestFiles.Tiny;
        using var tensors = TorchCheckpointReader.Read(file.Checkpoint);
        var layout = new PyTorchVideoResNetLayout();
        Assert.True(layout.Matches(tensors));
        using var loaded = layout.Load(tensors, file.Checkpoint, new CheckpointHints());
        var config = Assert.IsType<SlowFastConfig>(loaded.Config);
        Assert.Equal("custom", config.Name);
        Assert.True(config.SameWeights(SlowFastTestFiles.TinyConfig()), ModelConfigFile.Write(config));
        Assert.Equal(file.Config.GetProperty("parameters").GetInt64(), loaded.ParameterCount);

        var refused = Assert.Throws<CheckpointMismatchException>(() => layout.Load(tensors, "tiny.pyth", new CheckpointHints(Model: "slowfast_r50")));
        Assert.Contains("blocks.0.multipathway_blocks.0.conv.weight is [4, 3, 1, 7, 7], expected [64, 3, 1, 7, 7]", refused.Message);
        var slow = Assert.Throws<CheckpointMismatchException>(() => layout.Load(tensors, "tiny.pyth", new CheckpointHints(Model: "slow_r50")));
        Assert.Contains("missing keys", slow.Message);
    }

    [Fact]
    public void StrictLoadingListsMissingUnexpectedAndMisShapedKeysAtOnce()
    {
        using var scope = NewDisposeScope();
        using var original = TorchCheckpointReader.Read(SlowFastTestFiles.Tiny.Checkpoint);
        using var broken = new NamedTensors();
        foreach (var name in original.Names)
        {
            if (name == "blocks.2.multipathway_fusion.norm.running_mean") continue;                                        // missing
            var tensor = name == "blocks.3.multipathway_blocks.1.res_blocks.0.branch2.conv_b.weight" ? original[name].flatten(1) : original[name];   // mis-shaped
            broken.Add(name, tensor.clone());
        }
        broken.Add("blocks.4.multipathway_fusion.conv_fast_to_slow.weight", zeros([16, 8, 7, 1, 1]));                      // no fusion after res5
        var error = Assert.Throws<CheckpointMismatchException>(() =>
            new PyTorchVideoResNetLayout().Load(broken, "broken.pyth", new CheckpointHints(Architecture: SlowFastTestFiles.TinyConfig())));
        Assert.Equal(["blocks.2.multipathway_fusion.norm.running_mean"], error.Missing);
        Assert.Equal(["blocks.4.multipathway_fusion.conv_fast_to_slow.weight"], error.Unexpected);
        Assert.Single(error.ShapeMismatches, s => s.StartsWith("blocks.3.multipathway_blocks.1.res_blocks.0.branch2.conv_b.weight is [4, 36]", StringComparison.Ordinal));
    }

    [Fact]
    public void CompiledClipPathEqualsThePlainModel()
    {
        using var scope = NewDisposeScope();
        var file = SlowFastTestFiles.Tiny;
        using var loaded = CheckpointLoader.Load(file.Checkpoint, new CheckpointHints(Architecture: SlowFastTestFiles.TinyConfig()));
        var model = loaded.Model;
        var (t, h, w) = file.InputSize;
        var clip = UpstreamReference.Input(t, h, w);
        using var _ = inference_mode();
        var compiled = ModelCompiler.Compile(model).ClipLogits(clip).select(1, -1);
        var plain = model.forward(Normalization.Apply(clip, model.Config.Preprocessing));
        Assert.True(compiled.sub(plain).abs().max().item<float>() <= 1e-4);
        Assert.Contains("samples its slow frames across the whole clip", model.NotStreamableReason);
    }

    [Fact]
    public void ConvertToMoViSharpAndBackToPyTorchVideoIsBitExact()
    {
        var file = SlowFastTestFiles.Tiny;
        string ours = InProcessCli.Temp("ours.safetensors"), back = InProcessCli.Temp("back.safetensors");
        var toOurs = InProcessCli.Run("convert", "--from", file.Checkpoint, "--config", SlowFastTestFiles.TinyConfigFile(), "--to", ours);
        Assert.True(toOurs.ExitCode == 0, toOurs.Stderr);
        var toUpstream = InProcessCli.Run("convert", "--from", ours, "--to", back, "--layout", "pytorchvideo");
        Assert.True(toUpstream.ExitCode == 0, toUpstream.Stderr);
        using var original = TorchCheckpointReader.Read(file.Checkpoint);
        using var roundTrip = SafeTensorsFile.Read(back);
        Assert.Equal(original.Names.Order(StringComparer.Ordinal), roundTrip.Names.Order(StringComparer.Ordinal));
        foreach (var name in original.Names) Assert.True(UpstreamReference.Same(original[name], roundTrip[name]), name);
    }

    [Fact]
    public void CoSlowStreamsAndEachStepIsItsClipCallOneDelayBack()
    {
        using var scope = NewDisposeScope();
        var config = Assert.IsType<ContinualConfig>(ModelRegistry.Entry("coslow").Config);
        Assert.Equal(("slow_r50", 64), (config.BaseName, config.PoolWindow!.Value));
        // A narrow Slow (stem 8) keeps the run short; the published CoSlow differs only in widths.
        var model = TestModels.Randomize(ModelRegistry.Build(config with
        {
            BaseName = null, BaseConfig = SlowFastSpecs.Get("slow_r50") with { StemWidth = 8 }, PoolWindow = 8,
        }), seed: 9);
        Assert.True(model.Streamable, model.NotStreamableReason);
        Assert.Single(model.modules().OfType<WindowAveragePool>());
        Assert.Empty(model.modules().OfType<GlobalAveragePool>());
        var temporal = model.Temporal;
        Assert.Equal(6 + 3, temporal.Delay);                             // res4's 6 and res5's 3 blocks: conv_a 3×1×1 looks one frame ahead
        int field = temporal.ReceptiveField, frames = field + 3, size = 32;
        var clip = TestModels.Clip(frames, size, seed: 2);
        using var mode = inference_mode();
        var whole = model.Logits(clip);
        using var state = model.InitialState(1, size, size);
        var steps = stack(Enumerable.Range(0, frames).Select(t => model.StepLogits(clip.select(2, t), state)).ToList(), 1);
        double worst = 0;
        for (int n = field - 1; n < frames; n++) worst = Math.Max(worst, TestModels.MaxAbsDiff(steps.select(1, n), whole.select(1, n - temporal.Delay)));
        output.WriteLine($"coslow (stem 8): delay {temporal.Delay}, receptive field {field}; max |Δ| {worst:G3}");
        Assert.True(worst <= 1e-4, $"max |Δ| {worst:G3}");
    }
    [Fact]
    public void APyTorchVideoFileFineTunesWithAFrozenBackboneAtASmallClip()
    {
        var file = SlowFastTestFiles.Tiny;
        string root = Directory.CreateTempSubdirectory("slowfast-train").FullName, data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
        MoViSharp.Data.Synthetic.SyntheticDatasetWriter.Write(data, perClass: 1, seed: 5, frames: 8, size: 32);
        var train = InProcessCli.Run("train", "--data", data, "--init", file.Checkpoint, "--freeze-backbone", "--frames", "8", "--size", "32",
            "--epochs", "1", "--batch", "8", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var (model, _) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        using (model)
        {
            var config = Assert.IsType<SlowFastConfig>(model.Config);
            Assert.Equal(((2, 1, 1), (8, 1, 1), 15), (config.SlowHeadPool, config.FastHeadPool, config.NumClasses));
        }
    }
}
