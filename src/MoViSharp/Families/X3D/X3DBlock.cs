using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.X3D;

/// <summary>
/// X3D's residual bottleneck: ReLU(shortcut(x) + branch(x)), branch = conv_a 1×1×1 → BN → ReLU → conv_b channel-wise k×3×3
/// (spatial stride in a stage's first block, padded k/2 in time, so it streams with delay k/2) → BN → [SE over the clip] → swish
/// → conv_c 1×1×1 → BN. The shortcut is a strided 1×1×1 conv in a stage's first block, with a BN only where the width changes
/// (PyTorchVideo has none on res2's, whose width equals the stem's). The sum is a shared <see cref="Residual"/>; the ReLU after it
/// is why the block is its own module.
/// </summary>
public sealed class X3DBlock : StreamModule
{
    private readonly Residual body;

    public Residual Body => body;
    public ConvUnit ConvA { get; }
    public ConvUnit ConvB { get; }
    public SqueezeExcitation? Se { get; }
    public ConvUnit ConvC { get; }
    /// <summary>The projection shortcut (with or without its BatchNorm), or null for the identity.</summary>
    public ConvUnit? Shortcut { get; }

    public X3DBlock(int inWidth, int innerWidth, int outWidth, int spatialStride, int temporalKernel, int seWidth, double eps, double momentum)
        : base(nameof(X3DBlock))
    {
        ConvA = new ConvUnit(inWidth, innerWidth, (1, 1, 1), activation: ActivationKind.Relu, batchNormEpsilon: eps, batchNormMomentum: momentum,
            padding: (0, 0, 0));
        ConvB = new ConvUnit(innerWidth, innerWidth, (temporalKernel, 3, 3), spatialStride, groups: innerWidth, batchNormEpsilon: eps,
            batchNormMomentum: momentum, padding: (temporalKernel / 2, 1, 1));
        if (seWidth > 0)
            Se = new SqueezeExcitation(innerWidth, SqueezeExcitationType.ThreeD, ActivationKind.Relu, GateKind.Sigmoid, causal: false,
                positionalEncoding: false, hiddenChannels: seWidth);
        ConvC = new ConvUnit(innerWidth, outWidth, (1, 1, 1), batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        if (inWidth != outWidth || spatialStride > 1)
            Shortcut = new ConvUnit(inWidth, outWidth, (1, 1, 1), spatialStride, batchNorm: inWidth != outWidth, batchNormEpsilon: eps,
                batchNormMomentum: momentum, padding: (0, 0, 0));
        List<(string, StreamModule)> branch = [("conv_a", ConvA), ("conv_b", ConvB)];
        if (Se is not null) branch.Add(("se", Se));
        branch.Add(("act_b", new Activation(ActivationKind.Swish)));
        branch.Add(("conv_c", ConvC));
        body = new Residual("X3DResidual", branch, Shortcut is null ? null : ("branch1", Shortcut));
        register_module("body", body);
    }

    /// <summary>Only <c>body</c> is registered (explicitly): the typed accessors must not register its parts a second time.</summary>
    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor input, StreamState? state) => F.relu(body.Forward(input, state));

    public override TemporalProfile Temporal => body.Temporal;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => body.Trace(input, trace);
}
