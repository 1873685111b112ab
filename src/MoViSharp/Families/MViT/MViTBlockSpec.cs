namespace MoViSharp.Families.MViT;

/// <summary>
/// One multiscale block, in torchvision's terms: heads, input and output channels, and the (t, h, w) kernels and strides of the
/// query pooling and of the key/value pooling. An empty kernel and stride (v1's blocks without query pooling) means no pool.
/// </summary>
public sealed record MViTBlockSpec(
    int Heads, int InChannels, int OutChannels,
    IReadOnlyList<int> KernelQ, IReadOnlyList<int> KernelKv, IReadOnlyList<int> StrideQ, IReadOnlyList<int> StrideKv)
{
    /// <summary>True when queries are pooled (a kernel or a stride larger than one).</summary>
    public bool PoolsQueries => Product(KernelQ) > 1 || Product(StrideQ) > 1;

    /// <summary>True when keys and values are pooled.</summary>
    public bool PoolsKeysValues => Product(KernelKv) > 1 || Product(StrideKv) > 1;

    /// <summary>True when the block shrinks the token grid (the skip path is max-pooled to match).</summary>
    public bool Downsamples => Product(StrideQ) > 1;

    /// <summary>The product of a kernel or stride; 1 for an empty one.</summary>
    public static int Product(IReadOnlyList<int> values) => values.Aggregate(1, (a, b) => a * b);

    /// <summary>A (t, h, w) triple, or (1, 1, 1) for an empty list.</summary>
    public static (int Time, int Height, int Width) Triple(IReadOnlyList<int> values) =>
        values.Count == 0 ? (1, 1, 1) : (values[0], values[1], values[2]);
}
