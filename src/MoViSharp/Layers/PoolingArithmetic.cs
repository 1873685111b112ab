namespace MoViSharp.Layers;

/// <summary>PyTorch's pooling output size: floor or ceil of (n + 2p − k)/s + 1, a ceil window never starting in the right padding.</summary>
public static class PoolingArithmetic
{
    public static long OutputSize(long size, int kernel, int stride, int padding, bool ceilMode)
    {
        long span = size + 2L * padding - kernel;
        long output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= size + padding) output--;
        return output;
    }
}
