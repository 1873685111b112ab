using MoViSharp.Families.MoViNets;
using MoViSharp.Models;

namespace MoViSharp.Tests.Models;

public class ModelCountTests
{
    // Targets computed from the official block specs (shared docs, movinet.md §1), 600 classes.
    [Theory]
    [InlineData("a0", "base", 3.11)]
    [InlineData("a1", "base", 4.69)]
    [InlineData("a2", "base", 5.25)]
    [InlineData("a3", "base", 7.40)]
    [InlineData("a4", "base", 11.35)]
    [InlineData("a5", "base", 18.65)]
    [InlineData("t0", "base", 1.73)]
    [InlineData("a0", "stream", 3.75)]
    [InlineData("a1", "stream", 6.45)]
    [InlineData("a2", "stream", 7.33)]
    [InlineData("a3", "stream", 10.99)]
    [InlineData("a4", "stream", 18.14)]
    [InlineData("a5", "stream", 31.50)]
    [InlineData("t0", "stream", 2.37)]
    public void ParameterCountsMatchThePublishedArchitectures(string name, string variant, double millions)
    {
        using var model = ModelRegistry.Create($"{name}-{variant}");
        Assert.InRange(model.ParameterCount / 1e6, millions * 0.995, millions * 1.005);
    }

    [Theory]
    [InlineData("a0", 50, 172, 2.63)]
    [InlineData("a1", 50, 172, 5.87)]
    [InlineData("a2", 50, 224, 11.56)]
    [InlineData("a3", 120, 256, 55.6)]
    [InlineData("a4", 80, 290, 103.3)]
    [InlineData("a5", 120, 320, 276.3)]
    [InlineData("t0", 25, 160, 0.87)]
    public void BaseMultiplyAddsAtTheNativeClip(string name, int frames, int size, double giga)
    {
        using var model = ModelRegistry.Create(name);
        Assert.Equal((frames, size), (model.Config.Preprocessing.Frames, model.Config.Preprocessing.Size));
        Assert.InRange(model.Trace(frames, size, size).MultiplyAdds / 1e9, giga * 0.995, giga * 1.005);
    }

    [Fact]
    public void A0StreamPerFrameWorkAndState()
    {
        using var model = (MoViNet)ModelRegistry.Create("a0-stream");
        Assert.InRange(model.Trace(1, 172, 172).MultiplyAdds / 1e6, 50.5, 50.9);    // 50.7 M per frame (performance.md)
        var states = model.StateSpecs(1, 172, 172);
        Assert.Equal(43, states.Count);
        Assert.InRange(states.Sum(s => s.Bytes) / 1e6, 2.6, 2.8);
        // The official TF names are an export mapping over the module paths, one to one.
        var official = MoViNetStateNames.OfficialSpecs(model, 1, 172, 172);
        Assert.Equal(43, official.Count);
        Assert.Equal(11, official.Count(s => s.Name.EndsWith("_stream_buffer")));
        Assert.Equal(states.Sum(s => s.Bytes), official.Sum(s => s.Bytes));
        Assert.Contains(states, s => s.Name == "blocks.b1_l0.feature.temporal.buffer");
        Assert.Equal(new long[] { 1, 2, 22, 22, 80 }, official.Single(s => s.Name == "state_block1_layer0_stream_buffer").Shape);
    }

    [Theory]
    [InlineData("a1", 172, 67)]
    [InlineData("a2", 224, 73)]
    [InlineData("a3", 256, 124)]
    [InlineData("a4", 290, 178)]
    [InlineData("a5", 320, 222)]
    public void StateTensorCounts(string name, int size, int count)
    {
        using var model = ModelRegistry.Create($"{name}-stream");
        Assert.Equal(count, model.StateSpecs(1, size, size).Count);
    }

    [Fact]
    public void SkipProjectionsWhereChannelsOrStrideChange()
    {
        foreach (var name in new[] { "a0", "a3", "a5" })
        {
            using var model = (MoViNet)ModelRegistry.Create(name);
            var projected = model.Layers.Where(l => l.Skip is not null).Select(l => (l.Path, l.Skip!.SpatialStride)).ToList();
            var expected = new List<(string, int)> { ("blocks.b0_l0", 2), ("blocks.b1_l0", 2), ("blocks.b2_l0", 2) };
            if (name is "a3" or "a5") expected.Add(("blocks.b3_l0", 1));   // 80→88 and 112→120 at stride 1
            expected.Add(("blocks.b4_l0", 2));
            Assert.Equal(expected, projected);
        }
    }

    [Fact]
    public void StreamConfigsSetThePublishedKnobs()
    {
        var a0 = MoViNetSpecs.Get("a0", MoViNetVariant.Stream);
        Assert.True(a0.Causal);
        Assert.False(a0.PositionalEncoding);
        Assert.Equal(MoViSharp.Layers.ActivationKind.HardSwish, a0.Activation);
        Assert.Equal(MoViSharp.Layers.ActivationKind.Swish, a0.ClassifierActivation);
        Assert.True(MoViNetSpecs.Get("a3", MoViNetVariant.Stream).PositionalEncoding);
        Assert.Equal(MoViSharp.Layers.ActivationKind.HardSwish, MoViNetSpecs.Get("a4", MoViNetVariant.Stream).ClassifierActivation);
        Assert.Equal(0.5, MoViNetSpecs.Get("a1", MoViNetVariant.Base).DropoutRate);
        Assert.Equal(1e-3, a0.BatchNormEpsilon);
        Assert.Equal(0.01, a0.BatchNormMomentum);
        var error = Assert.Throws<ArgumentException>(() => MoViNetSpecs.Get("a9", MoViNetVariant.Base));
        Assert.Contains("Unknown MoViNet 'a9'", error.Message);
        var registry = Assert.Throws<ArgumentException>(() => ModelRegistry.Entry("a9"));
        Assert.StartsWith("Unknown model 'a9'. Known models: ", registry.Message);
        Assert.Contains(" a0, a0-base, a0-stream,", registry.Message);     // families in name order (c3d comes before movinet)
    }
}
