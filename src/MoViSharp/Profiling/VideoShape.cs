namespace MoViSharp.Profiling;

/// <summary>The shape of one video activation without its batch: channels × frames × height × width.</summary>
public readonly record struct VideoShape(long Channels, long Frames, long Height, long Width)
{
    public long ElementCount => Channels * Frames * Height * Width;
    public override string ToString() => $"{Channels}×{Frames}×{Height}×{Width}";
}
