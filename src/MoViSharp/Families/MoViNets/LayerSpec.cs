namespace MoViSharp.Families.MoViNets;

/// <summary>One bottleneck layer of a stage: expansion width and depthwise kernel k_t × k × k.</summary>
public sealed record LayerSpec(int ExpandChannels, int KernelTime, int KernelSize)
{
    public override string ToString() => $"{ExpandChannels} {KernelTime}x{KernelSize}x{KernelSize}";
}
