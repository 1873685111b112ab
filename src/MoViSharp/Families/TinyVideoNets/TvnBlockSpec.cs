namespace MoViSharp.Families.TinyVideoNets;

/// <summary>The spatial operation of a Tiny Video Network block.</summary>
public enum TvnSpatialOp
{
    /// <summary>1×1 conv to the block's filters → BN → ReLU, then a k×k conv (stride s) → BN → ReLU.</summary>
    Standard,
    /// <summary>1×1 conv to the block's filters → BN → ReLU, then a k×k depthwise conv (stride s) → BN → ReLU.</summary>
    Depthwise,
    /// <summary>k×k max pooling (stride s, TF "same"), channels unchanged.</summary>
    MaxPool,
    /// <summary>k×k average pooling (stride s, TF "same", padding not counted), channels unchanged.</summary>
    AveragePool,
}

/// <summary>The temporal operation of a Tiny Video Network block.</summary>
public enum TvnTemporalOp
{
    /// <summary>A k×1×1 conv over time (stride s, TF "same") to the block's filters → BN → ReLU.</summary>
    Conv1d,
    /// <summary>k-frame max pooling (stride s, TF "same").</summary>
    MaxPool,
    /// <summary>k-frame average pooling (stride s, TF "same", padding not counted).</summary>
    AveragePool,
}

/// <summary>
/// One block of a TVN architecture (google-research tiny_video_nets, found_tvns.py), repeated <see cref="Repeats"/> times: the
/// first instance carries the strides and the temporal op, later ones have stride 1 and the temporal op only every other time
/// (off, on, off, …). <see cref="Squeeze"/> 0 = no squeeze-excitation; <see cref="Expand"/> scales the 1×1 expansion to
/// max(filters·expand, filters) channels.
/// </summary>
public sealed record TvnBlockSpec(
    int Filters, TvnSpatialOp Spatial, int SpatialKernel, int SpatialStride, TvnTemporalOp Temporal, int TemporalKernel, int TemporalStride,
    int Repeats, int Expand, double Squeeze, bool Skip, bool ContextGate)
{
    /// <summary>The block's output width: the 1×1 expansion's.</summary>
    public int Expanded => Math.Max(Filters * Expand, Filters);

    /// <summary>TF's SE width: max(int(E·squeeze), 8).</summary>
    public int SqueezeChannels => Math.Max((int)(Expanded * Squeeze), 8);
}
