using MoViSharp.Families.Continual;
using MoViSharp.Families.X3D;
using MoViSharp.Layers;
using MoViSharp.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.X3D;

/// <summary>
/// The continual family's CoX3D entries build once X3D is registered: X3D's padded temporal convs stream as they are, the head's
/// clip pool becomes the 64-frame window and its output pool a per-frame mean, SE goes per-frame, and past one receptive field
/// every step equals the continual model's clip call for the frame one delay back.
/// </summary>
public sealed class CoX3DTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cox3d_xs", "x3d_xs")]
    [InlineData("cox3d_s", "x3d_s")]
    [InlineData("cox3d_m", "x3d_m")]
    [InlineData("cox3d_l", "x3d_l")]
    public void EveryCoX3DEntryNamesItsRegisteredX3DBase(string name, string baseName)
    {
        var config = Assert.IsType<ContinualConfig>(ModelRegistry.Entry(name).Config);
        Assert.Equal((baseName, 64), (config.BaseName, config.PoolWindow!.Value));
        Assert.IsType<X3DConfig>(config.Base);
    }

    [Fact]
    public void CoX3DSStreamsAndEachStepIsItsClipCallOneDelayBack()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(ModelRegistry.Create("cox3d_s"), seed: 5);
        Assert.True(model.Streamable, model.NotStreamableReason);
        Assert.Single(model.modules().OfType<WindowAveragePool>(), p => p.Window == 64);
        Assert.Empty(model.modules().OfType<GlobalAveragePool>());
        Assert.All(model.modules().OfType<SqueezeExcitation>(), se => Assert.Equal(SqueezeExcitationType.TwoD, se.Type));
        using (var clipModel = ModelRegistry.Create("x3d_s")) Assert.Equal(clipModel.state_dict().Keys.Order(), model.state_dict().Keys.Order());

        // Delay: the stem's 5-frame kernel looks 2 ahead, each of the 26 blocks' 3-frame kernel 1 ahead.
        var temporal = model.Temporal;
        Assert.Equal(2 + 26, temporal.Delay);
        Assert.Equal(1 + 4 + 2 * 26 + 63, temporal.ReceptiveField);
        int field = temporal.ReceptiveField, frames = field + 4, size = 32;
        var clip = TestModels.Clip(frames, size, seed: 3);
        using var mode = inference_mode();
        var whole = model.Logits(clip);                                                   // [1, T, K], zero padding at both ends
        using var state = model.InitialState(1, size, size);
        var steps = stack(Enumerable.Range(0, frames).Select(t => model.StepLogits(clip.select(2, t), state)).ToList(), 1);
        double worst = 0;
        for (int n = field - 1; n < frames; n++) worst = Math.Max(worst, TestModels.MaxAbsDiff(steps.select(1, n), whole.select(1, n - temporal.Delay)));
        output.WriteLine($"cox3d_s: delay {temporal.Delay}, receptive field {field}; max |Δ| step vs clip call past the transient {worst:G3}");
        Assert.True(worst <= 1e-4, $"max |Δ| {worst:G3}");
    }
    [Fact]
    public void ACoX3DLoadsItsBasesUpstreamFileAndNamesTheSizeFromTheFileName()
    {
        using var scope = NewDisposeScope();
        // The hub file's tensors (upstream names, deterministic values) in a plain safetensors file named like the hub's.
        string dir = Directory.CreateTempSubdirectory("cox3d").FullName, path = Path.Combine(dir, "X3D_XS.safetensors");
        using (var upstream = MoViSharp.Tests.Families.ClipCnns.UpstreamReference.DeterministicStateDict(MoViSharp.Tests.Families.ClipCnns.UpstreamReference.Manifest("x3d_xs")))
            MoViSharp.Weights.Formats.SafeTensorsFile.Write(path, upstream);
        using (var clip = MoViSharp.Weights.CheckpointLoader.Load(path))
            Assert.Equal("x3d_xs", clip.Model.Config.Name);                     // XS, S and M share every shape: the file name decides
        using var loaded = MoViSharp.Weights.CheckpointLoader.Load(path, new MoViSharp.Weights.CheckpointHints(Model: "cox3d_xs"));
        var config = Assert.IsType<ContinualConfig>(loaded.Model.Config);
        Assert.Equal(("x3d_xs", 64), (config.Base.Name, config.PoolWindow!.Value));
        Assert.True(loaded.Model.Streamable);
        using var mode = inference_mode();
        using var state = loaded.Model.InitialState(1, 64, 64);
        var logits = loaded.Model.StepLogits(TestModels.Clip(1, 64).select(2, 0), state);
        Assert.Equal([1L, 400], logits.shape);
    }

    [Fact]
    public void ClassifyRunsCoX3DMOnlineFromAHubFileOnePredictionPerFrameAfterTheDelay()
    {
        // A full-size X3D-M hub file (upstream names in PyTorchVideo's torch.save container, deterministic values).
        string dir = Directory.CreateTempSubdirectory("cox3d-classify").FullName, weights = Path.Combine(dir, "X3D_M.pyth");
        using (var upstream = MoViSharp.Tests.Families.ClipCnns.UpstreamReference.DeterministicStateDict(MoViSharp.Tests.Families.ClipCnns.UpstreamReference.Manifest("x3d_m")))
            MoViSharp.Weights.Formats.TorchCheckpointWriter.Write(weights, upstream, "model_state");
        string video = Path.Combine(dir, "clip.mp4");
        MoViSharp.Data.Synthetic.FfmpegClipEncoder.Write(video, MoViSharp.Data.Synthetic.SyntheticClipRenderer.Render(0, 3, 0, 40, 64));
        var classify = MoViSharp.Tests.Families.ClipCnns.InProcessCli.Run("classify", video, "--model", "cox3d_m", "--weights", weights, "--json");
        Assert.True(classify.ExitCode == 0, classify.Stderr);
        using var result = System.Text.Json.JsonDocument.Parse(classify.Stdout);
        var perFrame = result.RootElement.GetProperty("per_frame_top1").EnumerateArray().Select(e => e.GetInt32()).ToList();
        // 40 frames at 25 fps resampled to the recipe's 30 fps: 48 steps; the first prediction comes with frame 28 (the delay).
        int delay = ModelRegistry.Create("cox3d_m").Temporal.Delay;
        Assert.Equal(28, delay);
        Assert.Equal(48, perFrame.Count);
        Assert.Equal(Enumerable.Range(delay, 48 - delay), Enumerable.Range(0, 48).Where(t => perFrame[t] >= 0));
    }
}
