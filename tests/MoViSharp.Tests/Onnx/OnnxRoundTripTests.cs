using MoViSharp.Models;
using MoViSharp.Onnx.Export;

namespace MoViSharp.Tests.Onnx;

/// <summary>Export → ONNX Runtime gives TorchSharp's logits and state, in every form.</summary>
public class OnnxRoundTripTests
{
    [Theory]
    [InlineData(OnnxExportForm.StreamPlain)]
    [InlineData(OnnxExportForm.StreamRing)]
    public void ToyStreamsLikeThePlainModel(OnnxExportForm form) =>
        OnnxAssert.StreamMatchesPlain(TestModels.Randomize(ModelRegistry.Create("toy-m"), 5), 6, 32, form, batch: 2);

    [Theory]
    [InlineData(OnnxExportForm.StreamPlain)]
    [InlineData(OnnxExportForm.StreamRing)]
    public void A3StreamWithPositionalEncodingStreamsLikeThePlainModel(OnnxExportForm form) =>
        OnnxAssert.StreamMatchesPlain(TestModels.Stream("a3"), 5, 40, form);

    [Fact]
    public void A0BaseClipGraphGivesThePlainLogits() =>
        OnnxAssert.ClipMatchesPlain(TestModels.Randomize(ModelRegistry.Create("a0-base", numClasses: 7), 3), 4, 48);

    [Fact]
    public void A0StreamClipGraphGivesThePlainLogitsForEveryFrame() =>
        OnnxAssert.ClipMatchesPlain(TestModels.Stream("a0"), 4, 48);
}
