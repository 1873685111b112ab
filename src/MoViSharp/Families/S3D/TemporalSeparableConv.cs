using MoViSharp.Layers;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Families.S3D;

/// <summary>
/// S3D's separable k×k×k conv: a 1×k×k conv (stride (1,s,s), padding (0,p,p)) → BN → ReLU (child <c>0</c>), then a k×1×1 conv
/// (stride (s,1,1), padding (p,0,0)) → BN → ReLU (child <c>1</c>), both to the output width and without bias, as torchvision's
/// TemporalSeparableConv (so its parameter paths are the upstream module's).
/// </summary>
public sealed class TemporalSeparableConv : Sequential
{
    public ConvUnit SpatialConv { get; }
    public ConvUnit TemporalConv { get; }

    public TemporalSeparableConv(int inChannels, int outChannels, int kernel, int stride, int padding, double batchNormEpsilon, double batchNormMomentum)
        : base(nameof(TemporalSeparableConv), [])
    {
        SpatialConv = new ConvUnit(inChannels, outChannels, (1, kernel, kernel), stride, activation: ActivationKind.Relu,
            batchNormEpsilon: batchNormEpsilon, batchNormMomentum: batchNormMomentum, padding: (0, padding, padding));
        TemporalConv = new ConvUnit(outChannels, outChannels, (kernel, 1, 1), activation: ActivationKind.Relu,
            batchNormEpsilon: batchNormEpsilon, batchNormMomentum: batchNormMomentum, temporalStride: stride, padding: (padding, 0, 0));
        Add("0", SpatialConv);
        Add("1", TemporalConv);
    }
}
