using MoViSharp.Layers;
using MoViSharp.Classification;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Layers;

public class PoolingTests
{
    [Fact]
    public void CumulativePoolIsTheRunningMeanOfAllFramesSoFar()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 3, 5, 4, 4], generator: new Generator(1));
        var y = new CumulativeAveragePool().forward(x);
        Assert.Equal(new long[] { 2, 3, 5, 1, 1 }, y.shape);
        for (int t = 0; t < 5; t++)
        {
            var expected = x.narrow(2, 0, t + 1).mean([2, 3, 4]);
            Assert.True(TestModels.MaxAbsDiff(y.select(2, t).flatten(1), expected) < 1e-6);
        }
    }

    [Fact]
    public void CumulativePoolContinuesAcrossCallsWithPerStreamCounts()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 3, 6, 4, 4], generator: new Generator(2));
        var pool = new CumulativeAveragePool();
        var whole = pool.forward(x);
        using var state = new StreamState(2);
        var first = pool.Forward(x.narrow(2, 0, 2), state);
        var second = pool.Forward(x.narrow(2, 2, 4), state);
        Assert.True(TestModels.MaxAbsDiff(cat([first, second], 2), whole) < 1e-6);
        Assert.Equal(new long[] { 2, 3 }, state[pool.SumKey].shape);
        Assert.Equal(new[] { 6, 6 }, state[pool.CountKey].data<int>().ToArray());
    }

    [Fact]
    public void TfSameAveragePoolDividesByRealCellsOnly()
    {
        using var scope = NewDisposeScope();
        // 4×4, 3×3 stride 2, TF pads (0,1): the bottom-right window holds 2×2 real cells.
        var x = arange(16, dtype: ScalarType.Float32).view(1, 1, 1, 4, 4);
        var y = new TfSameAveragePool(3, 2).forward(x).flatten().data<float>().ToArray();
        Assert.Equal(new float[] { 45 / 9f, 39 / 6f, 66 / 6f, 50 / 4f }, y);
        // Odd sizes pad symmetrically (1,1): the corner window of a 5×5 has 4 real cells.
        var z = TfSameAveragePool.Apply(ones([1, 1, 1, 5, 5]), 3, 2);
        Assert.True(TestModels.MaxAbsDiff(z, ones([1, 1, 1, 3, 3])) < 1e-6);
    }
}
