namespace MoViSharp.Weights.Formats;

/// <summary>
/// Upper bounds that keep a hostile or corrupt <c>torch.save</c> file from exhausting memory or time.
/// The defaults are far above what any real state dict needs.
/// </summary>
public sealed record TorchCheckpointLimits
{
    public static TorchCheckpointLimits Default { get; } = new();

    /// <summary>Largest <c>data.pkl</c> accepted, in bytes.</summary>
    public long MaxPickleBytes { get; init; } = 64L << 20;

    /// <summary>Most entries the pickle memo may hold.</summary>
    public int MaxMemoEntries { get; init; } = 1 << 20;

    /// <summary>Most values on the unpickler's stack at once (marks included).</summary>
    public int MaxStackDepth { get; init; } = 1 << 20;

    /// <summary>Longest string or bytes value, in bytes.</summary>
    public int MaxStringBytes { get; init; } = 1 << 20;

    /// <summary>Most elements in one list, tuple or dict.</summary>
    public int MaxContainerElements { get; init; } = 1 << 20;

    /// <summary>Most dimensions of one tensor.</summary>
    public int MaxTensorDimensions { get; init; } = 32;

    /// <summary>Largest sum of the sizes of all storages read, in bytes.</summary>
    public long MaxTotalBytes { get; init; } = 16L << 30;

    /// <summary>
    /// Most bytes the tensors read may take (plus 256 per tensor) per byte of the file, beyond a fixed 1 MiB. Real state dicts
    /// take about one byte per byte; views sharing one storage (tied weights, slices) take a little more.
    /// </summary>
    public int MaxExpansion { get; init; } = 16;
}
