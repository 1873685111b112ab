using MoViSharp.Families.ContinualTransformers;
using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Onnx;

/// <summary>
/// The continual transformer encoder and its recycling positions in ONNX Runtime, on a window of 3 so that six frames fill it,
/// slide it (the leaving key's terms subtracted in the retroactive layer) and recycle positions: one block (single output), two
/// (retroactive + single output) and three (a recomputed middle layer), streamed in both forms with two streams and as clips.
/// </summary>
public class ContinualTransformerExportTests(ITestOutputHelper output)
{
    private static VideoModel Model(int blocks) => TestModels.Randomize(ModelRegistry.Build(new CoTransformerConfig
    {
        Name = $"cotrans-test-b{blocks}", NumClasses = 5, Backbone = MoViNetSpecs.Get("a0", MoViNetVariant.Stream),
        Channels = 32, Heads = 4, FeedForward = 48, Blocks = blocks, Window = 3,
    }), seed: 21);

    [Theory]
    [InlineData(1, OnnxExportForm.StreamPlain)]
    [InlineData(2, OnnxExportForm.StreamPlain)]
    [InlineData(2, OnnxExportForm.StreamRing)]
    [InlineData(3, OnnxExportForm.StreamRing)]
    public void StreamsLikeThePlainModelPastTheWindow(int blocks, OnnxExportForm form)
    {
        var (diff, scale) = OnnxAssert.StreamMatchesPlain(Model(blocks), 6, 32, form, batch: 2);
        output.WriteLine($"{blocks} block(s), {form}: largest logit difference {diff:E2}, logits up to {scale:F3}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ClipGraphGivesThePlainLogitsForEveryFrame(int blocks)
    {
        var (diff, scale) = OnnxAssert.ClipMatchesPlain(Model(blocks), 6, 32);
        output.WriteLine($"{blocks} block(s), clip: largest logit difference {diff:E2}, logits up to {scale:F3}");
    }
}
