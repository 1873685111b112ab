namespace MoViSharp.Layers;

/// <summary>
/// TensorFlow's "same" padding: output size ceil(n/s), total padding max(k − ((n−1) mod s + 1), 0), the smaller half before.
/// With stride 2 on an even size this is asymmetric (k=3 → (0,1), k=5 → (1,2)), unlike PyTorch's symmetric padding.
/// </summary>
public static class SamePadding
{
    public static (int Before, int After) For(long size, int kernel, int stride)
    {
        long remainder = (size - 1) % stride + 1;
        int total = (int)Math.Max(kernel - remainder, 0);
        return (total / 2, total - total / 2);
    }

    public static long OutputSize(long size, int stride) => (size + stride - 1) / stride;
}
