using TorchSharp;
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
        // An explicit scalar held to the end of the call: an implicit one can be finalised while libtorch reads it (see
        // Scalars; it crashed a 20-minute training run with "Unknown scalar type" in div_).
        using var divisor = keep.ToScalar();
        return x.mul(mask).div_(divisor);
    }
}
