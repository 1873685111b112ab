namespace MoViSharp.Streaming.Containers;

/// <summary>How <see cref="BroadcastReduce"/> combines its branches.</summary>
public enum Reduction
{
    /// <summary>Element-wise sum.</summary>
    Sum,
    /// <summary>Element-wise product (e.g. a gate times its input).</summary>
    Multiply,
    /// <summary>Concatenation along channels, in branch order.</summary>
    Concatenate,
}
