using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.SlowFast;

/// <summary>
/// PyTorchVideo's ResNet bottleneck: ReLU(shortcut(x) + branch(x)), branch = conv_a k×1×1 (padded k/2 in time, so it streams with
/// delay k/2) → BN → ReLU → conv_b 1×3×3 (the stage's spatial stride) → BN → ReLU → conv_c 1×1×1 → BN; the shortcut is a strided
/// 1×1×1 conv → BN where the width or the stride changes. The sum is a shared <see cref="Residual"/>; the ReLU after it is why the
/// block is its own module.
/// </summary>
public sealed class ResNetBottleneck : StreamModule
{
    private readonly Residual body;

    public Residual Body => body;
    public ConvUnit ConvA { get; }
    public ConvUnit ConvB { get; }
    public ConvUnit ConvC { get; }
    public ConvUnit? Shortcut { get; }

    public ResNetBottleneck(int inWidth, int innerWidth, int outWidth, int temporalKernel, int spatialStride, double eps, double momentum)
        : base(nameof(ResNetBottleneck))
    {
        ConvA = new ConvUnit(inWidth, innerWidth, (temporalKernel, 1, 1), activation: ActivationKind.Relu, batchNormEpsilon: eps,
            batchNormMomentum: momentum, padding: (temporalKernel / 2, 0, 0));
        ConvB = new ConvUnit(innerWidth, innerWidth, (1, 3, 3), spatialStride, activation: ActivationKind.Relu, batchNormEpsilon: eps,
            batchNormMomentum: momentum, padding: (0, 1, 1));
        ConvC = new ConvUnit(innerWidth, outWidth, (1, 1, 1), batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        if (inWidth != outWidth || spatialStride > 1)
            Shortcut = new ConvUnit(inWidth, outWidth, (1, 1, 1), spatialStride, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        body = new Residual("BottleneckResidual", [("conv_a", ConvA), ("conv_b", ConvB), ("conv_c", ConvC)],
            Shortcut is null ? null : ("branch1", Shortcut));
        register_module("body", body);
    }

    /// <summary>Only <c>body</c> is registered (explicitly): the typed accessors must not register its parts a second time.</summary>
    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor input, StreamState? state) => F.relu(body.Forward(input, state));

    public override TemporalProfile Temporal => body.Temporal;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => body.Trace(input, trace);

    /// <summary>A stage of <paramref name="depth"/> blocks (the first strides and projects), named 0, 1, … as PyTorchVideo's res_blocks.</summary>
    public static Sequential Stage(string name, int depth, int inWidth, int innerWidth, int outWidth, int temporalKernel, int spatialStride,
        double eps, double momentum) =>
        new(name, Enumerable.Range(0, depth).Select(b => (b.ToString(), (StreamModule)new ResNetBottleneck(b == 0 ? inWidth : outWidth, innerWidth,
            outWidth, temporalKernel, b == 0 ? spatialStride : 1, eps, momentum))));
}
