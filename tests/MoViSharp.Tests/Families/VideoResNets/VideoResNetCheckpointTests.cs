using MoViSharp.Classification;
using MoViSharp.Families.VideoResNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.VideoResNets;

/// <summary>
/// Real files saved by torchvision (tools/zoo/make_clip_cnn_fixtures.py: torchvision's own VideoResNet classes at tiny widths,
/// torch.save zip): predict reproduces torchvision's logits, convert goes to MoViSharp and back bit for bit, mismatched files are
/// refused key by key, and a torchvision file fine-tunes with a frozen backbone.
/// </summary>
public sealed class VideoResNetCheckpointTests(ITestOutputHelper output)
{
    public static TheoryData<string> Fixtures() => new("tv_r3d_tiny", "tv_mc3_tiny", "tv_r2plus1d_tiny");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void PredictReproducesTorchvisionLogitsFromTheFileAlone(string fixture)
    {
        var file = new TinyUpstreamFile(fixture);
        string logitsPath = InProcessCli.Temp("logits.npy");
        var result = InProcessCli.Run("predict", "--weights", file.Checkpoint, "--input", file.InputNpy, "--output", logitsPath);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (logits, shape) = NpyFile.ReadFloat32(logitsPath);
        Assert.Equal([1, 5], shape);
        double difference = file.Logits.Zip(logits).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"{file.Checkpoint}: max |Δlogit| {difference:G3}");
        Assert.True(difference <= UpstreamReference.Tolerance(file.Logits), $"{fixture}: max |Δlogit| {difference:G3}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TheLayoutReadsTheArchitectureFromTheKeys(string fixture)
    {
        var file = new TinyUpstreamFile(fixture);
        using var loaded = CheckpointLoader.Load(file.Checkpoint);
        var config = Assert.IsType<VideoResNetConfig>(loaded.Model.Config);
        var a = file.Architecture;
        Assert.Equal("custom", config.Name);
        Assert.Equal(a.GetProperty("widths").EnumerateArray().Select(e => e.GetInt32()), config.Widths);
        Assert.Equal(a.GetProperty("blocks").EnumerateArray().Select(e => e.GetInt32()), config.Blocks);
        Assert.Equal(a.GetProperty("kind").GetString() == "r2plus1d" ? VideoResNetStem.TwoPlusOneD : VideoResNetStem.Basic, config.Stem);
        Assert.Equal(5, config.NumClasses);
        Assert.Equal(file.Config.GetProperty("parameters").GetInt64(), loaded.Model.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void CompiledClipPathEqualsThePlainModel(string fixture)
    {
        using var scope = NewDisposeScope();
        var file = new TinyUpstreamFile(fixture);
        using var loaded = CheckpointLoader.Load(file.Checkpoint);
        var model = loaded.Model;
        var (t, h, w) = file.InputSize;
        var clip = UpstreamReference.Input(t, h, w);
        using var _ = inference_mode();
        var compiled = ModelCompiler.Compile(model).ClipLogits(clip).select(1, -1);           // the BatchNorm-folded copy, normalising itself
        var plain = model.forward(Normalization.Apply(clip, model.Config.Preprocessing));
        Assert.True(compiled.sub(plain).abs().max().item<float>() <= 1e-4);
    }

    [Fact]
    public void ConvertToMoViSharpAndBackToTorchvisionIsBitExact()
    {
        var file = new TinyUpstreamFile("tv_r2plus1d_tiny");
        string ours = InProcessCli.Temp("ours.safetensors"), back = InProcessCli.Temp("back.safetensors");
        var toOurs = InProcessCli.Run("convert", "--from", file.Checkpoint, "--to", ours);
        Assert.True(toOurs.ExitCode == 0, toOurs.Stderr);
        var toTorchvision = InProcessCli.Run("convert", "--from", ours, "--to", back, "--layout", "torchvision");
        Assert.True(toTorchvision.ExitCode == 0, toTorchvision.Stderr);
        // The same, written as torchvision's own file: a torch.save archive that torch.load (and our reader) reads.
        string backPth = InProcessCli.Temp("back.pth");
        var toPth = InProcessCli.Run("convert", "--from", ours, "--to", backPth, "--layout", "torchvision");
        Assert.True(toPth.ExitCode == 0, toPth.Stderr);
        using var original = TorchCheckpointReader.Read(file.Checkpoint);
        foreach (var roundTrip in new[] { SafeTensorsFile.Read(back), TorchCheckpointReader.Read(backPth) })
            using (roundTrip)
            {
                Assert.Equal(original.Names.Order(StringComparer.Ordinal), roundTrip.Names.Order(StringComparer.Ordinal));
                foreach (var name in original.Names)
                {
                    Assert.Equal(original[name].dtype, roundTrip[name].dtype);
                    Assert.True(UpstreamReference.Same(original[name], roundTrip[name]), name);
                }
            }
        var refused = InProcessCli.Run("convert", "--from", ours, "--to", InProcessCli.Temp("ours.pth"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("a MoViSharp checkpoint is a .safetensors file", refused.Stderr);
    }

    [Fact]
    public void AFileOfAnotherArchitectureIsRefusedNamingItsKeys()
    {
        var file = new TinyUpstreamFile("tv_r3d_tiny");
        var result = InProcessCli.Run("predict", "--model", "r3d_18", "--weights", file.Checkpoint, "--input", file.InputNpy, "--output", InProcessCli.Temp("x.npy"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not fit the model", result.Stderr);
        Assert.Contains("layer1.0.conv1.0.weight is [4, 64, 3, 3, 3], expected [64, 64, 3, 3, 3]", result.Stderr);
        var other = InProcessCli.Run("predict", "--model", "s3d", "--weights", file.Checkpoint, "--input", file.InputNpy, "--output", InProcessCli.Temp("y.npy"));
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("not a 's3d' model", other.Stderr);
    }

    [Fact]
    public void StrictLoadingListsMissingUnexpectedAndMisShapedKeysAtOnce()
    {
        using var scope = NewDisposeScope();
        var file = new TinyUpstreamFile("tv_mc3_tiny");
        using var original = TorchCheckpointReader.Read(file.Checkpoint);
        using var broken = new NamedTensors();
        foreach (var name in original.Names)
        {
            if (name == "layer2.0.conv2.1.running_var") continue;                                            // missing
            var tensor = name == "layer3.0.conv1.0.weight" ? original[name].flatten(1) : original[name];    // mis-shaped
            broken.Add(name, tensor.clone());
        }
        broken.Add("layer1.0.conv3.0.weight", zeros([4, 4, 1, 1, 1]));                                            // unexpected
        var error = Assert.Throws<CheckpointMismatchException>(() => new TorchvisionVideoResNetLayout().Load(broken, "broken.pth", new CheckpointHints()));
        Assert.Equal(["layer2.0.conv2.1.running_var"], error.Missing);
        Assert.Equal(["layer1.0.conv3.0.weight"], error.Unexpected);
        Assert.Single(error.ShapeMismatches, s => s.StartsWith("layer3.0.conv1.0.weight is [8, 36]", StringComparison.Ordinal));
    }

    [Fact]
    public void AnEmptyTensorCannotClaimAWidth()
    {
        using var scope = NewDisposeScope();
        using var original = TorchCheckpointReader.Read(new TinyUpstreamFile("tv_r3d_tiny").Checkpoint);
        using var hostile = new NamedTensors();
        foreach (var name in original.Names) hostile.Add(name, name == "fc.weight" ? zeros([1_000_000_000, 0]) : original[name].clone());
        var error = Assert.Throws<InvalidDataException>(() => new TorchvisionVideoResNetLayout().Load(hostile, "hostile.pth", new CheckpointHints()));
        Assert.Equal("hostile.pth: 'fc.weight' is empty or a scalar, not a weight.", error.Message);
    }

    [Fact]
    public void ADataParallelPrefixIsStrippedByTheLayout()
    {
        using var scope = NewDisposeScope();
        var file = new TinyUpstreamFile("tv_r3d_tiny");
        using var original = TorchCheckpointReader.Read(file.Checkpoint);
        using var wrapped = new NamedTensors();
        foreach (var name in original.Names) wrapped.Add("module." + name, original[name].clone());
        var layout = new TorchvisionVideoResNetLayout();
        Assert.True(layout.Matches(wrapped));
        using var model = layout.Load(wrapped, "wrapped.pth", new CheckpointHints());
        var (t, h, w) = file.InputSize;
        using var _ = inference_mode();
        var logits = model.forward(UpstreamReference.Input(t, h, w));
        Assert.True(UpstreamReference.MaxAbsDifference(file.Logits, logits) <= UpstreamReference.Tolerance(file.Logits));
    }

    [Fact]
    public void EvalAndClassifyRunAClipModelWithItsPreprocessing()
    {
        var file = new TinyUpstreamFile("tv_r3d_tiny");
        string data = Path.Combine(Directory.CreateTempSubdirectory("resnet-eval").FullName, "data");
        MoViSharp.Data.Synthetic.SyntheticDatasetWriter.Write(data, perClass: 1, seed: 2, frames: 4, size: 32);
        string labels = InProcessCli.Temp("labels.txt");
        File.WriteAllLines(labels, MoViSharp.Data.Synthetic.SyntheticActionClasses.Names.Take(5));
        var converted = InProcessCli.Temp("five.safetensors");
        Assert.Equal(0, InProcessCli.Run("convert", "--from", file.Checkpoint, "--to", converted, "--labels", labels).ExitCode);
        // Five of the fifteen synthetic classes are the tiny model's; eval scores the clips of those it knows.
        foreach (var dir in Directory.GetDirectories(data).Where(d => !MoViSharp.Data.Synthetic.SyntheticActionClasses.Names.Take(5).Contains(Path.GetFileName(d))))
            Directory.Delete(dir, recursive: true);
        File.WriteAllLines(Path.Combine(data, "labels.txt"), MoViSharp.Data.Synthetic.SyntheticActionClasses.Names.Take(5));
        var eval = InProcessCli.Run("eval", "--data", data, "--weights", converted, "--frames", "4", "--size", "32", "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using (var json = System.Text.Json.JsonDocument.Parse(eval.Stdout))
            Assert.Equal(5, json.RootElement.GetProperty("clips").GetInt32());

        // classify: a clip model over a sliding window of its clip (16 frames), one prediction per window, decoded as its recipe
        // says: 128×171 → 112², resampled to 15 fps (the 40 frames at 25 fps become 24).
        string video = InProcessCli.Temp("clip.mp4");
        MoViSharp.Data.Synthetic.FfmpegClipEncoder.Write(video, MoViSharp.Data.Synthetic.SyntheticClipRenderer.Render(0, 3, 0, 40, 64));
        var classify = InProcessCli.Run("classify", video, "--weights", converted, "--json", "--hop", "8");
        Assert.True(classify.ExitCode == 0, classify.Stderr);
        using var result = System.Text.Json.JsonDocument.Parse(classify.Stdout);
        var perFrame = result.RootElement.GetProperty("per_frame_top1").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(24, perFrame.Count);
        Assert.Equal(new[] { 15, 23 }, Enumerable.Range(0, 24).Where(t => perFrame[t] >= 0));   // the first full window, then every 8 frames
    }

    [Fact]
    public void ATorchvisionFileFineTunesWithAFrozenBackbone()
    {
        var file = new TinyUpstreamFile("tv_r2plus1d_tiny");
        string root = Directory.CreateTempSubdirectory("resnet-train").FullName, data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
        MoViSharp.Data.Synthetic.SyntheticDatasetWriter.Write(data, perClass: 1, seed: 3, frames: 4, size: 32);
        var train = InProcessCli.Run("train", "--data", data, "--init", file.Checkpoint, "--freeze-backbone", "--frames", "4", "--size", "32",
            "--epochs", "1", "--batch", "8", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);
        using var scope = NewDisposeScope();
        var (model, labels) = MoViSharpCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        using (model)
        {
            Assert.Equal(15, labels!.Count);
            using var init = CheckpointLoader.Load(file.Checkpoint);
            var before = init.Model.state_dict();
            foreach (var (name, tensor) in model.state_dict())
            {
                if (name.StartsWith("fc.", StringComparison.Ordinal)) Assert.Equal(15, tensor.shape[0]);      // the new head
                else if (!name.EndsWith("num_batches_tracked", StringComparison.Ordinal) && !name.Contains("running_", StringComparison.Ordinal))
                    Assert.True(UpstreamReference.Same(before[name], tensor), $"{name} changed although the backbone was frozen");
            }
        }
    }
}
