using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Layers;

/// <summary>
/// A depthwise k_t×k×k convolution, either one 3-D kernel (<c>conv</c>) or factorised into a spatial 1×k×k (<c>spatial</c>)
/// followed by a temporal k_t×1×1 (<c>temporal</c>), each with its own BN and activation. Kernels with k_t = 1 are never
/// factorised. The stream buffer sits before the 3-D kernel (pre-stride) or between the spatial and temporal parts
/// (post-stride), as in TF.
/// </summary>
public sealed class DepthwiseFeature : Sequential
{
    public ConvUnit? Conv { get; }
    public ConvUnit? SpatialPart { get; }
    public ConvUnit? TemporalPart { get; }

    public DepthwiseFeature(int channels, (int Time, int Size) kernel, int stride, ConvType convType, ActivationKind activation,
        TemporalPadding temporalPadding, double eps, double momentum) : base(nameof(DepthwiseFeature), [])
    {
        var execution = convType == ConvType.TwoPlusOneD ? ConvExecution.Conv2dOnFrames : ConvExecution.Conv3d;
        if (convType == ConvType.ThreeD || kernel.Time == 1)
        {
            Conv = new ConvUnit(channels, channels, (kernel.Time, kernel.Size, kernel.Size), stride, groups: channels,
                activation: activation, temporalPadding: temporalPadding, execution: execution,
                batchNormEpsilon: eps, batchNormMomentum: momentum);
            Add("conv", Conv);
        }
        else
        {
            SpatialPart = new ConvUnit(channels, channels, (1, kernel.Size, kernel.Size), stride, groups: channels,
                activation: activation, execution: execution, batchNormEpsilon: eps, batchNormMomentum: momentum);
            TemporalPart = new ConvUnit(channels, channels, (kernel.Time, 1, 1), 1, groups: channels,
                activation: activation, temporalPadding: temporalPadding, execution: execution,
                batchNormEpsilon: eps, batchNormMomentum: momentum);
            Add("spatial", SpatialPart);
            Add("temporal", TemporalPart);
        }
    }
}
