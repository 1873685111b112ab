using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>Drops a residual branch per sample during training (kept ones are scaled by 1/keep), identity at inference.</summary>
public static class StochasticDepth
{
    public static Tensor Apply(Tensor x, double dropRate, bool training)
    {
        if (!training || dropRate <= 0) return x;
        double keep = 1 - dropRate;
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
        shape[0] = x.shape[0];
        var mask = empty(shape, dtype: x.dtype, device: x.device).bernoulli_(keep);
        return x.mul(mask).div_(keep);
    }
}
