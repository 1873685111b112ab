namespace MoViSharp.Families.MoViNets;

/// <summary>Base: non-causal 3-D clip classifier. Stream: causal (2+1)D model that runs frame by frame with a stream state.</summary>
public enum MoViNetVariant
{
    Base,
    Stream,
}
