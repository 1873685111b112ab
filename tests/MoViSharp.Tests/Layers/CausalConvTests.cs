using MoViSharp.Layers;
using MoViSharp.Classification;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Tests.Layers;

public class CausalConvTests
{
    private static ConvUnit Depthwise(ConvExecution execution, (int, int, int) kernel, int stride = 1)
    {
        var unit = TestModels.Randomize(new ConvUnit(4, 4, kernel, stride, groups: 4, activation: ActivationKind.HardSwish,
            temporalPadding: TemporalPadding.Causal, execution: execution));
        unit.AssignStatePaths();
        return unit;
    }

    [Theory]
    [InlineData(ConvExecution.Conv3d)]
    [InlineData(ConvExecution.Conv2dOnFrames)]
    public void TemporalConvEqualsConvolutionOverZeroPaddedPast(ConvExecution execution)
    {
        using var scope = NewDisposeScope();
        var conv = Depthwise(execution, (3, 1, 1));
        var x = randn([2, 4, 6, 5, 5], generator: new Generator(3));
        // Reference: plain conv3d over (k−1) zero frames before the clip, then BN and hard-swish.
        var padded = F.pad(x, [0, 0, 0, 0, 2, 0]);
        var expected = Activations.Apply(conv.Norm!.forward(F.conv3d(padded, conv.Weight, groups: 4)), ActivationKind.HardSwish);
        Assert.True(TestModels.MaxAbsDiff(conv.forward(x), expected) < 1e-5);
    }

    [Theory]
    [InlineData(ConvExecution.Conv3d, 3, 3)]
    [InlineData(ConvExecution.Conv2dOnFrames, 5, 1)]
    public void BufferedFormEqualsWholeClip(ConvExecution execution, int kt, int k)
    {
        using var scope = NewDisposeScope();
        var conv = Depthwise(execution, (kt, k, k), stride: 1);
        var x = randn([1, 4, 7, 6, 6], generator: new Generator(4));
        var whole = conv.forward(x);
        using var state = new StreamState(1);
        var pieces = new[] { (0, 1), (1, 3), (4, 1), (5, 2) }
            .Select(p => conv.Forward(x.narrow(2, p.Item1, p.Item2), state)).ToList();
        Assert.True(TestModels.MaxAbsDiff(cat(pieces, 2), whole) < 1e-5);
        Assert.Equal(new long[] { 1, 4, kt - 1, 6, 6 }, state["buffer"].shape);           // [B, C, k−1, H, W]
    }

    [Fact]
    public void OutputAtFrameTIgnoresLaterFrames()
    {
        using var scope = NewDisposeScope();
        var conv = Depthwise(ConvExecution.Conv3d, (3, 3, 3));
        var x = randn([1, 4, 6, 5, 5], generator: new Generator(5));
        var changed = x.clone();
        changed.narrow(2, 4, 2).add_(10);
        var a = conv.forward(x);
        var b = conv.forward(changed);
        Assert.True(TestModels.MaxAbsDiff(a.narrow(2, 0, 4), b.narrow(2, 0, 4)) <= 1e-6);
        Assert.True(TestModels.MaxAbsDiff(a.narrow(2, 4, 2), b.narrow(2, 4, 2)) > 1e-3);
    }

    [Fact]
    public void NonCausalSamePaddingSeesTheFuture()
    {
        using var scope = NewDisposeScope();
        var conv = TestModels.Randomize(new ConvUnit(4, 4, (3, 3, 3), groups: 4));
        var x = randn([1, 4, 5, 5, 5], generator: new Generator(6));
        var changed = x.clone();
        changed.narrow(2, 4, 1).add_(10);
        Assert.True(TestModels.MaxAbsDiff(conv.forward(x).narrow(2, 3, 1), conv.forward(changed).narrow(2, 3, 1)) > 1e-3);
    }

    [Fact]
    public void AsymmetricSpatialPaddingMatchesTensorFlow()
    {
        using var scope = NewDisposeScope();
        // 4×4 input, 3×3 kernel, stride 2: TF pads (0,1) per axis, so output (0,0) is the top-left 3×3 window.
        var conv = new ConvUnit(1, 1, (1, 3, 3), 2, batchNorm: false);
        using (no_grad()) conv.Weight.fill_(1);
        var x = arange(16, dtype: ScalarType.Float32).view(1, 1, 1, 4, 4);
        var y = conv.forward(x).flatten().data<float>().ToArray();
        // windows: rows 0-2/cols 0-2; rows 0-2/cols 2-3(+pad); rows 2-3/cols 0-2; rows 2-3/cols 2-3
        Assert.Equal(new float[] { 45, 39, 66, 50 }, y);
    }
}
