using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Streaming.Containers;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Onnx;

/// <summary>
/// The stream forms of the shift and window-pool rules past what the every-model test reaches in its 3 frames: the offline TSM
/// shift (no registered model streams it: TSM's consensus is clip-wide) and CoX3D once its delay has filled, so that the logits
/// depend on the frames and the 64-frame window pool holds real means.
/// </summary>
public class TemporalShiftAndContinualPoolExportTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(TemporalShiftMode.Bidirectional, OnnxExportForm.StreamRing)]
    [InlineData(TemporalShiftMode.Bidirectional, OnnxExportForm.StreamPlain)]
    [InlineData(TemporalShiftMode.Online, OnnxExportForm.StreamPlain)]
    public void AShiftingResidualStreamsAsTorchSharpDoes(TemporalShiftMode mode, OnnxExportForm form)
    {
        var model = TestModels.Randomize(new ShiftNet(mode), seed: 5);
        Assert.True(model.Streamable);
        var (diff, scale) = OnnxAssert.StreamMatchesPlain(model, frames: 6, size: 16, form);
        output.WriteLine($"{mode} shift, {form}: largest logit difference {diff:E2}, logits up to {scale:F3}");
    }

    [Fact]
    public void CoX3DStreamsPastItsDelay()
    {
        var model = TestModels.Randomize(ModelRegistry.Create("cox3d_xs", numClasses: 5), seed: 11);
        int frames = model.Temporal.Delay + 3;
        var (diff, scale) = OnnxAssert.StreamMatchesPlain(model, frames, 32, OnnxExportForm.StreamRing);
        output.WriteLine($"cox3d_xs: delay {model.Temporal.Delay}, {frames} frames: largest logit difference {diff:E2}, logits up to {scale:F3}");
    }

    [Fact]
    public void CoX3DsClipGraphIsItsTrainingForm()
    {
        // The window pool's clip form: per-frame means, w−1 zero frames in front, an average over w.
        var model = TestModels.Randomize(ModelRegistry.Create("cox3d_xs", numClasses: 5), seed: 11);
        var (diff, scale) = OnnxAssert.ClipMatchesPlain(model, 6, 32);
        output.WriteLine($"cox3d_xs clip graph, 6×32²: largest logit difference {diff:E2}, logits up to {scale:F3}");
    }

    /// <summary>A conv stem, a TSM-style residual (shift, then a 1×1 conv on the branch only), a running mean and a classifier.</summary>
    private sealed class ShiftNet(TemporalShiftMode mode) : VideoModel("ShiftNet", [
        ("stem", new ConvUnit(3, 16, (1, 3, 3), 2, activation: ActivationKind.Relu)),
        ("block", new Residual("Block", [("shift", new TemporalShift(mode)), ("conv", new ConvUnit(16, 16, (1, 1, 1), activation: ActivationKind.Relu))])),
        ("pool", new CumulativeAveragePool()),
        ("head", new ConvUnit(16, 3, (1, 1, 1), useBias: true, batchNorm: false)),
    ])
    {
        public override ModelConfig Config { get; } = new ShiftConfig { Name = "shiftnet", NumClasses = 3 };
    }

    private sealed record ShiftConfig : ModelConfig
    {
        public override string Family => "shiftnet";
        public override Preprocessing Preprocessing => new() { Frames = 6, Size = 16 };
    }
}
