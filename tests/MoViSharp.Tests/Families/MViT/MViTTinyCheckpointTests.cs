using MoViSharp.Families.MViT;
using MoViSharp.Models;
using MoViSharp.Weights;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.MViT;

/// <summary>The small real MViT-v2 saved by torchvision (Fixtures/zoo/checkpoints/tv_mvit_v2_tiny) through the library.</summary>
public class MViTTinyCheckpointTests(ITestOutputHelper output)
{
    private static CheckpointHints TinyHints() => new(Architecture: MViTConfigJson.Read(MViTTestData.TinyConfigJson(), "tiny"));

    [Fact]
    public void TinyTorchvisionFileReproducesItsUpstreamLogits()
    {
        using var scope = NewDisposeScope();
        using var loaded = CheckpointLoader.Load(MViTTestData.TinyCheckpoint(), TinyHints());
        var (input, expected) = MViTTestData.TinyInputAndLogits();
        Assert.Equal(MViTTestData.TinyFixtureConfig().GetProperty("parameters").GetInt64(), loaded.Model.ParameterCount);
        using var mode = inference_mode();
        var logits = loaded.Model.forward(input);
        Assert.Equal(expected.shape, logits.shape);
        double tolerance = MViTTestData.Tolerance(expected.data<float>().ToArray());
        output.WriteLine($"tiny MViT-v2: max |Δlogit| {TestModels.MaxAbsDiff(logits, expected):G3} (tolerance {tolerance:G3})");
        Assert.True(TestModels.MaxAbsDiff(logits, expected) <= tolerance, $"max |Δ| {TestModels.MaxAbsDiff(logits, expected)} > {tolerance}");
    }
}
