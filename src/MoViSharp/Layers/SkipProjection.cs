using MoViSharp.Streaming.Containers;

namespace MoViSharp.Layers;

/// <summary>
/// The shortcut of a bottleneck layer whose channels or stride change: (TF-same 3×3 average pool when strided) → 1×1×1
/// convolution → BatchNorm, no activation.
/// </summary>
public sealed class SkipProjection : Sequential
{
    public int SpatialStride { get; }
    public ConvUnit Projection { get; }

    public SkipProjection(int inChannels, int outChannels, int spatialStride, ConvExecution execution, double eps, double momentum)
        : base(nameof(SkipProjection), [])
    {
        SpatialStride = spatialStride;
        if (spatialStride > 1) Add("pool", new TfSameAveragePool(3, spatialStride));
        Projection = new ConvUnit(inChannels, outChannels, (1, 1, 1), execution: execution, batchNormEpsilon: eps, batchNormMomentum: momentum);
        Add("projection", Projection);
    }
}
