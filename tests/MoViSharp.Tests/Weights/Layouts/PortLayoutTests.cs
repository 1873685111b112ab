using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Layouts;

public class PortLayoutTests
{
    [Fact]
    public void BaseKeysFollowThePortLayout()
    {
        using var model = MoViNet.Create("a3", MoViNetVariant.Base);
        var keys = PortLayout.Mappings(model).ToDictionary(m => m.SourceKey, m => m.ModelKey);
        Assert.Equal("stem.weight", keys["conv1.conv_1.conv3d.weight"]);
        Assert.Equal("stem.bn.num_batches_tracked", keys["conv1.conv_1.norm.num_batches_tracked"]);
        Assert.Equal("blocks.b1_l0.feature.conv.weight", keys["blocks.b1_l0.deep.conv_1.conv3d.weight"]);
        Assert.Equal("blocks.b1_l0.se.reduce.bias", keys["blocks.b1_l0.se.fc1.conv_1.conv3d.bias"]);
        Assert.Equal("blocks.b0_l0.skip.projection.weight", keys["blocks.b0_l0.res.1.conv_1.conv3d.weight"]);     // strided: after the pool
        Assert.Equal("blocks.b3_l0.skip.projection.weight", keys["blocks.b3_l0.res.0.conv_1.conv3d.weight"]);     // A3 80→88 at stride 1
        Assert.Equal("blocks.b2_l1.rezero", keys["blocks.b2_l1.alpha"]);
        Assert.Equal("classifier.logits.bias", keys["classifier.3.conv_1.conv3d.bias"]);
        Assert.Equal(model.state_dict().Count, keys.Count);
        Assert.Equal(model.state_dict().Keys.Order(), keys.Values.Order());
    }

    [Fact]
    public void StreamKeysSplitTheFactorisedDepthwiseIntoConv1AndConv2()
    {
        using var model = MoViNet.Create("a0", MoViNetVariant.Stream);
        using var exported = new PortLayout().Export(model);
        Assert.Equal(new long[] { 80, 1, 3, 3 }, exported["blocks.b1_l0.deep.conv_1.conv2d.weight"].shape);
        Assert.Equal(new long[] { 80, 1, 3, 1 }, exported["blocks.b1_l0.deep.conv_2.conv2d.weight"].shape);
        Assert.Equal(new long[] { 80 }, exported["blocks.b1_l0.deep.conv_2.norm.running_var"].shape);
        Assert.Equal(new long[] { 40, 160, 1, 1 }, exported["blocks.b1_l0.se.fc1.conv_1.conv2d.weight"].shape);  // [x_3d, x_space] → 2E
        Assert.Equal(new long[] { 8, 3, 3, 3 }, exported["conv1.conv_1.conv2d.weight"].shape);
        Assert.Equal(Array.Empty<long>(), exported["blocks.b0_l0.alpha"].shape);
        Assert.False(exported.ContainsName("blocks.b0_l0.deep.conv_2.conv2d.weight"));                          // 1×5×5: one conv
        Assert.Equal(MoViNetVariant.Stream, PortLayout.DetectVariant(exported.Names));
    }

    [Theory]
    [InlineData("a0", MoViNetVariant.Base)]
    [InlineData("a0", MoViNetVariant.Stream)]
    public void ExportThenLoadGivesTheSameModel(string name, MoViNetVariant variant)
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(new MoViNet(PortLayout.Config(MoViNetSpecs.Get(name, variant) with { NumClasses = 7 })));
        using var exported = new PortLayout().Export(model);
        var loaded = new PortLayout().Load(exported, "port.pt", new CheckpointHints(name));
        Assert.Equal(7, loaded.Config.NumClasses);
        var clip = TestModels.Clip(3, 40);
        using var mode = inference_mode();
        Assert.True(TestModels.MaxAbsDiff(model.Logits(clip), loaded.Logits(clip)) <= 1e-6);   // same weights; threads may reorder sums
    }

    [Fact]
    public void WrongArchitectureListsTheMismatches()
    {
        using var scope = NewDisposeScope();
        using var exported = new PortLayout().Export(MoViNet.Create("a0", MoViNetVariant.Base, 7));
        var error = Assert.Throws<CheckpointMismatchException>(() => new PortLayout().Load(exported, "a0.pt", new CheckpointHints("a1")));
        Assert.Contains("blocks.b4_l6.expand.conv_1.conv3d.weight", error.Missing);
        Assert.Contains("conv1.conv_1.conv3d.weight is [8, 3, 1, 3, 3], expected [16, 3, 1, 3, 3] for stem.weight", error.ShapeMismatches);
        var variant = Assert.Throws<CheckpointFormatException>(() => new PortLayout().Load(exported, "a0.pt", new CheckpointHints("a0", "stream")));
        Assert.Equal("a0.pt holds a base model (its convs are conv3d), not stream.", variant.Message);
    }
}
