using MoViSharp.Layers;
using MoViSharp.Classification;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Tests.Layers;

public class SqueezeExcitationTests
{
    [Theory]
    [InlineData(24, SqueezeExcitationType.ThreeD, 8)]
    [InlineData(24, SqueezeExcitationType.TwoPlusThreeD, 16)]
    [InlineData(80, SqueezeExcitationType.ThreeD, 24)]
    [InlineData(80, SqueezeExcitationType.TwoPlusThreeD, 40)]
    [InlineData(184, SqueezeExcitationType.ThreeD, 48)]
    [InlineData(184, SqueezeExcitationType.TwoPlusThreeD, 96)]
    public void HiddenWidthFollowsMakeDivisible(int channels, SqueezeExcitationType type, int hidden) =>
        Assert.Equal(hidden, SqueezeExcitation.HiddenWidth(channels, type));

    [Fact]
    public void StreamSeConcatenatesCumulativeThenPerFramePools()
    {
        using var scope = NewDisposeScope();
        var se = TestModels.Randomize(new SqueezeExcitation(8, SqueezeExcitationType.TwoPlusThreeD, ActivationKind.HardSwish,
            GateKind.HardSigmoidKeras, causal: true, positionalEncoding: false));
        var x = randn([1, 8, 4, 3, 3], generator: new Generator(9));
        var space = x.mean([3, 4], keepdim: true);
        var cumulative = space.cumsum(2).div(arange(1, 5, dtype: ScalarType.Float32).view(1, 1, 4, 1, 1));
        Tensor Gate(Tensor pooled) => F.hardswish(F.conv3d(pooled, se.Reduce.Weight, se.Reduce.Bias))
            .Apply(h => F.conv3d(h, se.Expand.Weight, se.Expand.Bias)).mul(0.2).add(0.5).clamp(0, 1);
        var expected = x.mul(Gate(cat([cumulative, space], 1)));
        var swapped = x.mul(Gate(cat([space, cumulative], 1)));
        var actual = se.forward(x);
        Assert.True(TestModels.MaxAbsDiff(actual, expected) < 1e-5);
        Assert.True(TestModels.MaxAbsDiff(actual, swapped) > 1e-4);   // the order is observable
    }

    [Fact]
    public void BaseSeGatesWithTheGlobalAverage()
    {
        using var scope = NewDisposeScope();
        var se = TestModels.Randomize(new SqueezeExcitation(8, SqueezeExcitationType.ThreeD, ActivationKind.Swish, GateKind.Sigmoid,
            causal: false, positionalEncoding: false));
        var x = randn([2, 8, 3, 4, 4], generator: new Generator(10));
        var pooled = x.mean([2, 3, 4], keepdim: true);
        var gate = F.conv3d(F.silu(F.conv3d(pooled, se.Reduce.Weight, se.Reduce.Bias)), se.Expand.Weight, se.Expand.Bias).sigmoid();
        Assert.True(TestModels.MaxAbsDiff(se.forward(x), x.mul(gate)) < 1e-5);
    }
}

internal static class TensorPipe
{
    public static Tensor Apply(this Tensor t, Func<Tensor, Tensor> f) => f(t);
}
