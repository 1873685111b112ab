using MoViSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>Per-channel (x·scale − mean)/std of <see cref="Preprocessing"/> on frames [B, 3, H, W] or clips [B, 3, T, H, W].</summary>
public static class Normalization
{
    public static Tensor Apply(Tensor x, Preprocessing preprocessing)
    {
        if (!preprocessing.Normalizes) return x;
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
        shape[1] = 3;
        using var mean = tensor(preprocessing.Mean.ToArray(), shape, dtype: x.dtype, device: x.device);
        using var std = tensor(preprocessing.Std.ToArray(), shape, dtype: x.dtype, device: x.device);
        if (preprocessing.ValueScale == 1f) return x.sub(mean).div_(std);
        using var valueScale = ((double)preprocessing.ValueScale).ToScalar();   // held during the call: see Scalars
        return x.mul(valueScale).sub(mean).div_(std);
    }
}
