using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// The shortcut of a bottleneck layer whose channels or stride change: (TF-same 3×3 stride-2 average pool when strided)
/// → 1×1×1 convolution → BatchNorm, no activation.
/// </summary>
public sealed class SkipProjection : VideoLayer
{
    private readonly ConvUnit projection;

    public int SpatialStride { get; }
    public ConvUnit Projection => projection;

    public SkipProjection(int inChannels, int outChannels, int spatialStride, ConvExecution execution, double eps, double momentum)
        : base(nameof(SkipProjection))
    {
        SpatialStride = spatialStride;
        projection = new ConvUnit(inChannels, outChannels, (1, 1, 1), execution: execution, batchNormEpsilon: eps, batchNormMomentum: momentum);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var pooled = SpatialStride > 1 ? TfSameAveragePool.Forward(x, 3, SpatialStride) : x;
        return projection.Forward(pooled, null);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var pooled = input with
        {
            Height = SamePadding.OutputSize(input.Height, SpatialStride),
            Width = SamePadding.OutputSize(input.Width, SpatialStride),
        };
        return projection.Trace(pooled, trace);
    }
}
