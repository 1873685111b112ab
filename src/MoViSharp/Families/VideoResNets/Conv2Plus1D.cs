using MoViSharp.Layers;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// A (2+1)D convolution (Tran et al. 2018): a 1×k×k spatial conv to <c>mid</c> channels (stride (1,s,s)) → BN → ReLU, then a
/// k_t×1×1 temporal conv to <c>out</c> channels (stride (s_t,1,1)) → BN → <c>activation</c>. PyTorch padding (k−1)/2 on every
/// kernel axis. The temporal conv's BatchNorm is the one torchvision puts after the whole (2+1)D conv.
/// </summary>
public sealed class Conv2Plus1D : Sequential
{
    public ConvUnit SpatialConv { get; }
    public ConvUnit TemporalConv { get; }

    public Conv2Plus1D(int inChannels, int midChannels, int outChannels, int spatialKernel, int temporalKernel, int spatialStride,
        int temporalStride, ActivationKind activation, double batchNormEpsilon, double batchNormMomentum)
        : base(nameof(Conv2Plus1D), [])
    {
        SpatialConv = new ConvUnit(inChannels, midChannels, (1, spatialKernel, spatialKernel), spatialStride,
            activation: ActivationKind.Relu, batchNormEpsilon: batchNormEpsilon, batchNormMomentum: batchNormMomentum,
            padding: (0, spatialKernel / 2, spatialKernel / 2));
        TemporalConv = new ConvUnit(midChannels, outChannels, (temporalKernel, 1, 1), activation: activation,
            batchNormEpsilon: batchNormEpsilon, batchNormMomentum: batchNormMomentum, temporalStride: temporalStride,
            padding: (temporalKernel / 2, 0, 0));
        Add("spatial", SpatialConv);
        Add("temporal", TemporalConv);
    }

    /// <summary>
    /// torchvision's middle width of a (2+1)D conv replacing a 3×3×3 conv from <paramref name="inPlanes"/> to <paramref name="planes"/>
    /// with as many parameters: ⌊27·in·out / (9·in + 3·out)⌋. A BasicBlock computes it once, from its input and output widths,
    /// and uses it for BOTH of its convs (so a layer's first block has e.g. 230, not 288, in its second conv too).
    /// </summary>
    public static int MidChannels(int inPlanes, int planes) => (int)(27L * inPlanes * planes / (9L * inPlanes + 3L * planes));
}
