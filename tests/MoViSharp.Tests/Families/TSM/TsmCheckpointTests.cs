using MoViSharp.Classification;
using MoViSharp.Families.TSM;
using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Labels;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.TSM;

/// <summary>
/// The real files saved by temporal-shift-module's main.py (legacy torch.save, <c>{"state_dict": {"module.…"}}</c>): the tiny
/// MobileNetV2 TSN (width 0.25, 5 classes) reproduces upstream's logits from the file alone, compiles, converts back bit for bit
/// and runs online; the R50 subset keeps the release's names; mismatched files are refused by name.
/// </summary>
public sealed class TsmCheckpointTests(ITestOutputHelper output)
{
    private static TinyUpstreamFile Tiny => new("tsm_mobilenetv2_tiny");

    [Fact]
    public void PredictReproducesTheUpstreamLogitsFromTheLegacyFileAlone()
    {
        var file = Tiny;
        string logitsPath = InProcessCli.Temp("logits.npy");
        var result = InProcessCli.Run("predict", "--weights", file.Checkpoint, "--input", file.InputNpy, "--output", logitsPath);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (logits, shape) = NpyFile.ReadFloat32(logitsPath);
        Assert.Equal([1, 5], shape);
        double difference = file.Logits.Zip(logits).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"tsm_mobilenetv2_tiny: max |Δlogit| {difference:G3}");
        Assert.True(difference <= UpstreamReference.Tolerance(file.Logits), $"max |Δlogit| {difference:G3}");
    }

    [Fact]
    public void TheLayoutReadsTheArchitectureFromTheKeys()
    {
        using var loaded = CheckpointLoader.Load(Tiny.Checkpoint);
        var config = Assert.IsType<TsmConfig>(loaded.Model.Config);
        Assert.Equal(("custom", TsmBackbone.MobileNetV2, true, 5), (config.Name, config.Backbone, config.Shift, config.NumClasses));
        Assert.Equal(TsmConfig.MobileNetV2StagesAt(0.25), config.Stages);
        Assert.Equal((32, 1280), (config.StemChannels, config.LastChannels));
        Assert.Equal(Tiny.Config.GetProperty("parameters").GetInt64(), loaded.Model.ParameterCount);
        Assert.Equal(10, ((TsmNet)loaded.Model).Blocks.Count(b => b.Shift is not null));
    }

    [Fact]
    public void CompiledClipPathEqualsThePlainModel()
    {
        using var scope = NewDisposeScope();
        using var loaded = CheckpointLoader.Load(Tiny.Checkpoint);
        var (t, h, w) = Tiny.InputSize;
        var clip = UpstreamReference.Input(t, h, w);
        using var _ = inference_mode();
        var compiled = ModelCompiler.Compile(loaded.Model).ClipLogits(clip).select(1, -1);
        var plain = loaded.Model.forward(Normalization.Apply(clip, loaded.Model.Config.Preprocessing));
        Assert.True(compiled.sub(plain).abs().max().item<float>() <= 1e-4);
    }

    [Fact]
    public void ConvertToMoViSharpAndBackToTheReleaseLayoutIsBitExact()
    {
        string ours = InProcessCli.Temp("ours.safetensors"), back = InProcessCli.Temp("back.safetensors");
        var toOurs = InProcessCli.Run("convert", "--from", Tiny.Checkpoint, "--to", ours);
        Assert.True(toOurs.ExitCode == 0, toOurs.Stderr);
        var toRelease = InProcessCli.Run("convert", "--from", ours, "--to", back, "--layout", "temporal-shift-module");
        Assert.True(toRelease.ExitCode == 0, toRelease.Stderr);
        using var original = TorchCheckpointReader.Read(Tiny.Checkpoint);
        using var roundTrip = SafeTensorsFile.Read(back);
        var bare = DataParallelPrefix.Strip(original);
        Assert.Equal(bare.Keys, roundTrip.Names);
        foreach (var name in roundTrip.Names) Assert.True(UpstreamReference.Same(bare[name], roundTrip[name]), name);
    }

    [Fact]
    public void TheOnlineModelStepByStepEqualsItsCausalClipCall()
    {
        using var scope = NewDisposeScope();
        using var tensors = TorchCheckpointReader.Read(Tiny.Checkpoint);
        var layout = new TsmReleaseLayout();
        var inferred = TsmReleaseLayout.Infer(DataParallelPrefix.Strip(tensors), "tiny");
        using var online = layout.Load(tensors, "tiny", new CheckpointHints(Architecture: inferred with { ShiftMode = TemporalShiftMode.Online }));
        Assert.True(online.Streamable);
        Assert.Equal(0, online.Temporal.Delay);
        var (t, h, w) = Tiny.InputSize;
        var clip = UpstreamReference.Input(t, h, w);
        using var _ = inference_mode();
        var clipLogits = online.Logits(clip);                               // [1, T, K]: one prediction per frame
        Assert.Equal([1L, t, 5], clipLogits.shape);
        var state = online.InitialState(1, h, w);
        var steps = stack(Enumerable.Range(0, t).Select(i => online.StepLogits(clip.select(2, i), state)).ToList(), 1);
        double difference = steps.sub(clipLogits).abs().max().item<float>();
        output.WriteLine($"online tiny TSM, steps vs clip call: max |Δ| {difference:G3}");
        Assert.True(difference <= 1e-5, $"max |Δ| {difference:G3}");
        // The shift caches are the state: one frame of C/8 channels in each of the 10 shifted blocks.
        Assert.Equal(10, online.StateSpecs(1, h, w).Count);

        // The compiled model (normalising itself) streams the same frames.
        var compiled = ModelCompiler.Compile(online);
        var normalized = Normalization.Apply(clip, online.Config.Preprocessing);
        var plainSteps = online.InitialState(1, h, w);
        using var compiledState = compiled.InitialState(1, h, w);
        for (int i = 0; i < t; i++)
        {
            var expected = online.StepLogits(normalized.select(2, i), plainSteps);
            var actual = compiled.Step(clip.select(2, i), compiledState)!;
            Assert.True(actual.sub(expected).abs().max().item<float>() <= 1e-4, $"frame {i}");
        }
    }

    [Fact]
    public void TheReleaseSubsetOfTsmR50KeepsTheLayoutsNamesAndValues()
    {
        using var scope = NewDisposeScope();
        var subset = new TinyUpstreamFile("tsm_r50_subset");
        using var tensors = TorchCheckpointReader.Read(subset.Checkpoint);
        Assert.All(tensors.Names, n => Assert.StartsWith("module.", n));
        using var model = ModelRegistry.Create("tsm_r50");
        var expected = TsmReleaseLayout.Mappings((TsmNet)model).Select(m => m.SourceKey).ToHashSet();
        using var upstream = UpstreamReference.DeterministicStateDict(UpstreamReference.Manifest("tsm_r50"));
        foreach (var (name, tensor) in DataParallelPrefix.Strip(tensors))
        {
            Assert.Contains(name, expected);
            Assert.True(UpstreamReference.Same(upstream[name], tensor), name);
        }
        Assert.Equal(upstream.Names, TsmReleaseLayout.Mappings((TsmNet)model).Select(m => m.SourceKey));
    }

    [Fact]
    public void MismatchedFilesAreRefusedClearly()
    {
        using var scope = NewDisposeScope();
        using var tensors = TorchCheckpointReader.Read(Tiny.Checkpoint);
        var layout = new TsmReleaseLayout();
        // The full-width model asked for by name: every mis-shaped key is listed with both shapes.
        var published = Assert.Throws<CheckpointMismatchException>(() => layout.Load(tensors, "tiny.pth", new CheckpointHints(Model: "tsm_mobilenetv2")));
        Assert.Contains(published.ShapeMismatches, m => m.StartsWith("base_model.features.2.conv.6.weight is [8, 96, 1, 1], expected [24, 96, 1, 1, 1] for features.2.body.project.weight", StringComparison.Ordinal));
        Assert.Contains("tiny.pth", published.Message);

        // A file missing a tensor names it.
        using var missing = new NamedTensors();
        foreach (var name in tensors.Names.Where(n => n != "module.base_model.features.3.conv.4.running_var")) missing.Add(name, tensors[name].clone());
        var gap = Assert.Throws<CheckpointMismatchException>(() => layout.Load(missing, "gap.pth", new CheckpointHints()));
        Assert.Contains("base_model.features.3.conv.4.running_var", gap.Missing);

        // A MobileNetV2 with another number of blocks is not TSM's table.
        using var truncated = new NamedTensors();
        foreach (var name in tensors.Names.Where(n => !n.Contains("features.17.", StringComparison.Ordinal) && !n.Contains("features.18.", StringComparison.Ordinal)))
            truncated.Add(name, tensors[name].clone());
        var odd = Assert.Throws<InvalidDataException>(() => layout.Load(truncated, "odd.pth", new CheckpointHints()));
        Assert.Contains("odd.pth", odd.Message);

        // A model of another family is refused by name.
        var other = Assert.Throws<ArgumentException>(() => layout.Load(tensors, "tiny.pth", new CheckpointHints(Model: "c3d")));
        Assert.Contains("not a 'c3d' model", other.Message);
    }

    [Fact]
    public void RegistryEntriesCarryTheReleaseRecipeAndKineticsLabels()
    {
        foreach (var name in TsmSpecs.Names)
        {
            var entry = ModelRegistry.Entry(name);
            Assert.Equal((TsmFamily.FamilyName, LabelSets.Kinetics400), (entry.Family, entry.Weights!.LabelSet));
            var p = entry.Config.Preprocessing;
            Assert.Equal((8, 224, (int?)256, 8), (p.Frames, p.Size, p.ResizeShortSide, p.FrameStride));
            Assert.Equal(TsmConfig.ImageNetMean, p.Mean);
            string json = ModelConfigFile.Write(entry.Config);
            var back = Assert.IsType<TsmConfig>(ModelConfigFile.Parse(json, "test"));
            Assert.Equal(json, ModelConfigFile.Write(back));
            Assert.Equal(((TsmConfig)entry.Config).Online, name.EndsWith("_online", StringComparison.Ordinal));
            using var model = ModelRegistry.Create(name);
            Assert.Equal(name.EndsWith("_online", StringComparison.Ordinal), model.Streamable);
        }
        var bad = Assert.Throws<InvalidDataException>(() => ModelConfigFile.Parse("""{"family":"tsm","classes":3,"backbone":"resnet","widths":[64]}""", "mine.json"));
        Assert.Contains("mine.json", bad.Message);
    }
}

/// <summary>Fine-tuning a TSM release file: a new head for other classes, the backbone frozen (the head is one part: dropout, fc, consensus).</summary>
public sealed class TsmTrainingTests
{
    [Fact]
    public void FineTunesOnlyTheHeadWithAFrozenBackbone()
    {
        string root = Directory.CreateTempSubdirectory("tsm-train").FullName, data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
        string init = Path.Combine(root, "tiny.safetensors");
        using (var loaded = CheckpointLoader.Load(new TinyUpstreamFile("tsm_mobilenetv2_tiny").Checkpoint))
            MoViSharpCheckpoint.Save(init, loaded.Model);
        MoViSharp.Data.Synthetic.SyntheticDatasetWriter.Write(data, perClass: 1, seed: 6, frames: 8, size: 32);
        var train = InProcessCli.Run("train", "--data", data, "--init", init, "--freeze-backbone", "--frames", "8", "--size", "32",
            "--epochs", "1", "--batch", "8", "--lr", "0.1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var (trained, _) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        var (start, _) = MoViSharpCheckpoint.Load(init);
        using (trained)
        using (start)
        {
            // Parameters only: the trainer runs BatchNorm in training mode, so running statistics move even when frozen.
            var before = start.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            foreach (var (name, tensor) in trained.named_parameters())
                if (name.StartsWith("head.fc.", StringComparison.Ordinal)) Assert.NotEqual(5, tensor.shape[0]);
                else Assert.True(UpstreamReference.Same(before[name], tensor), $"{name} changed although the backbone was frozen");
        }
    }
}

/// <summary>
/// Full-size release-layout files: a one-element [1] num_batches_tracked loads as PyTorch loads it, and, where Debian's python3-torch
/// is present, tools/zoo/save_upstream_layout.py writes the full TSM-MobileNetV2 legacy file into a temp folder and predict
/// reproduces the manifest's logits from it.
/// </summary>
public sealed class TsmFullSizeFileTests(ITestOutputHelper output)
{
    [Fact]
    public void OneElementScalarsLoadAsPyTorchLoadsThem()
    {
        using var scope = NewDisposeScope();
        using var tensors = TorchCheckpointReader.Read(new TinyUpstreamFile("tsm_mobilenetv2_tiny").Checkpoint);
        const string key = "module.base_model.features.0.1.num_batches_tracked";
        NamedTensors With(Tensor replacement)
        {
            var result = new NamedTensors();
            foreach (var name in tensors.Names) result.Add(name, name == key ? replacement : tensors[name]);
            return result;
        }
        using var singleton = With(tensor(new long[] { 7 }));
        using var model = new TsmReleaseLayout().Load(singleton, "old.pth", new CheckpointHints());
        Assert.Equal(7L, model.state_dict()["features.0.bn.num_batches_tracked"].item<long>());
        using var pair = With(tensor(new long[] { 7, 8 }));
        var bad = Assert.Throws<CheckpointMismatchException>(() => new TsmReleaseLayout().Load(pair, "bad.pth", new CheckpointHints()));
        Assert.Contains("base_model.features.0.1.num_batches_tracked is [2], expected [] for features.0.bn.num_batches_tracked", bad.ShapeMismatches);
    }

    [Fact]
    public void PredictReproducesTheManifestFromAFullSizeLegacyFileWhenPythonTorchIsPresent()
    {
        string? tool = FindUp(Path.Combine("tools", "zoo", "save_upstream_layout.py"));
        if (tool is null || !Runs("/usr/bin/python3", "-c \"import torch, numpy\""))
        {
            output.WriteLine("python3-torch or tools/zoo not available: nothing to generate");
            return;
        }
        string dir = Directory.CreateTempSubdirectory("tsm-full").FullName;
        string file = Path.Combine(dir, "TSM_kinetics_RGB_mobilenetv2_shift8_blockres_avg_segment8_e100_dense.pth");
        string input = Path.Combine(dir, "clip.npy"), expected = Path.Combine(dir, "expected.npy"), logits = Path.Combine(dir, "logits.npy");
        Assert.True(Runs("/usr/bin/python3", $"\"{tool}\" \"{UpstreamReference.Fixture("tsm_mobilenetv2", "manifest.json")}\" \"{file}\" --input-npy \"{input}\" --logits-npy \"{expected}\""));
        var result = InProcessCli.Run("predict", "--weights", file, "--input", input, "--output", logits);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (ours, shape) = NpyFile.ReadFloat32(logits);
        var (upstream, _) = NpyFile.ReadFloat32(expected);
        Assert.Equal([1, 400], shape);
        double difference = upstream.Zip(ours).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"full-size tsm_mobilenetv2 legacy file: max |Δlogit| {difference:G3}");
        Assert.True(difference <= UpstreamReference.Tolerance(upstream));
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        return null;
    }

    private static bool Runs(string program, string arguments)
    {
        if (!File.Exists(program)) return false;
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
