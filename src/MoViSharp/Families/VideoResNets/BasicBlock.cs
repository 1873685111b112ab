using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// The video ResNet BasicBlock: ReLU(shortcut(x) + conv2(conv1(x))) where conv1 = conv → BN → ReLU and conv2 = conv → BN, each a
/// 3×3×3, 1×3×3 or (2+1)D conv (<see cref="ResNetConvKind"/>); the shortcut is a strided 1×1×1 conv → BN when the stride or the
/// width changes, else the identity. The sum is a shared <see cref="Residual"/> (<see cref="Body"/>); the ReLU after it is why this
/// block is its own module (a plain Residual ends with the sum).
/// </summary>
public sealed class BasicBlock : StreamModule
{
    private readonly Residual body;

    public Residual Body => body;
    public StreamModule Conv1 { get; }
    public StreamModule Conv2 { get; }
    public ConvUnit? Downsample { get; }

    public BasicBlock(int inPlanes, int planes, int stride, ResNetConvKind kind, double batchNormEpsilon, double batchNormMomentum)
        : base(nameof(BasicBlock))
    {
        int mid = Conv2Plus1D.MidChannels(inPlanes, planes);
        int temporalStride = kind == ResNetConvKind.NoTemporal ? 1 : stride;
        StreamModule Conv(int from, int s, ActivationKind activation) => kind switch
        {
            ResNetConvKind.ThreeD => new ConvUnit(from, planes, (3, 3, 3), s, activation: activation, batchNormEpsilon: batchNormEpsilon,
                batchNormMomentum: batchNormMomentum, temporalStride: s, padding: (1, 1, 1)),
            ResNetConvKind.NoTemporal => new ConvUnit(from, planes, (1, 3, 3), s, activation: activation, batchNormEpsilon: batchNormEpsilon,
                batchNormMomentum: batchNormMomentum, padding: (0, 1, 1)),
            ResNetConvKind.TwoPlusOneD => new Conv2Plus1D(from, mid, planes, 3, 3, s, s, activation, batchNormEpsilon, batchNormMomentum),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        Conv1 = Conv(inPlanes, stride, ActivationKind.Relu);
        Conv2 = Conv(planes, 1, ActivationKind.Identity);
        if (stride != 1 || inPlanes != planes)
            Downsample = new ConvUnit(inPlanes, planes, (1, 1, 1), stride, batchNormEpsilon: batchNormEpsilon, batchNormMomentum: batchNormMomentum,
                temporalStride: temporalStride, padding: (0, 0, 0));
        body = new Residual("Residual", [("conv1", Conv1), ("conv2", Conv2)], Downsample is null ? null : ("downsample", Downsample));
        register_module("body", body);
    }

    /// <summary>Only <c>body</c> is registered (explicitly): the typed accessors must not register its parts a second time.</summary>
    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor input, StreamState? state) => F.relu(body.Forward(input, state));

    public override TemporalProfile Temporal => body.Temporal;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => body.Trace(input, trace);
}
