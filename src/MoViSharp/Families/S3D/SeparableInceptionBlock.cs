using MoViSharp.Layers;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Families.S3D;

/// <summary>
/// S3D's separable Inception block, as the shared <see cref="BroadcastReduce"/> (concatenation) of four branches named as in
/// torchvision: <c>branch0</c> 1×1×1; <c>branch1</c>, <c>branch2</c> 1×1×1 → <see cref="TemporalSeparableConv"/> 3×3×3;
/// <c>branch3</c> 3×3×3 max pool (stride 1, padding 1) → 1×1×1. Every conv is bias-free → BN → ReLU.
/// </summary>
public static class SeparableInceptionBlock
{
    public static BroadcastReduce Create(int inChannels, InceptionSpec spec, double batchNormEpsilon, double batchNormMomentum)
    {
        ConvUnit Pointwise(int from, int to) => new(from, to, (1, 1, 1), activation: ActivationKind.Relu,
            batchNormEpsilon: batchNormEpsilon, batchNormMomentum: batchNormMomentum, padding: (0, 0, 0));
        Sequential Separable(int mid, int output) => new("Branch",
            [("0", Pointwise(inChannels, mid)), ("1", new TemporalSeparableConv(mid, output, 3, 1, 1, batchNormEpsilon, batchNormMomentum))]);
        return new BroadcastReduce(Reduction.Concatenate,
        [
            ("branch0", Pointwise(inChannels, spec.Branch0)),
            ("branch1", Separable(spec.Branch1Mid, spec.Branch1)),
            ("branch2", Separable(spec.Branch2Mid, spec.Branch2)),
            ("branch3", new Sequential("Branch", [("0", new MaxPool((3, 3, 3), (1, 1, 1), (1, 1, 1))), ("1", Pointwise(inChannels, spec.Branch3))])),
        ]);
    }
}
