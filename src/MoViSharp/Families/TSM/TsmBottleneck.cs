using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.TSM;

/// <summary>
/// torchvision's ResNet Bottleneck run on every frame, with TSM's residual shift: ReLU(shortcut(x) + conv3(conv2(conv1(shift(x)))))
/// where conv1 = 1×1 → BN → ReLU, conv2 = 3×3 (the block's stride) → BN → ReLU, conv3 = 1×1 to 4× the width → BN, and the
/// shortcut a strided 1×1 conv → BN when the stride or width changes. Only the branch sees shifted features (shift_place
/// 'blockres'); in many-step calls the shared <see cref="Residual"/> delays the shortcut to match an offline shift.
/// </summary>
public sealed class TsmBottleneck : StreamModule
{
    public const int Expansion = 4;

    private readonly Residual body;

    public Residual Body => body;
    public TemporalShift? Shift { get; }
    public ConvUnit Conv1 { get; }
    public ConvUnit Conv2 { get; }
    public ConvUnit Conv3 { get; }
    public ConvUnit? Downsample { get; }

    public TsmBottleneck(int inChannels, int width, int stride, TemporalShift? shift, double eps, double momentum) : base(nameof(TsmBottleneck))
    {
        int outChannels = width * Expansion;
        Shift = shift;
        Conv1 = new ConvUnit(inChannels, width, (1, 1, 1), activation: ActivationKind.Relu, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        Conv2 = new ConvUnit(width, width, (1, 3, 3), stride, activation: ActivationKind.Relu, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 1, 1));
        Conv3 = new ConvUnit(width, outChannels, (1, 1, 1), batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        if (stride != 1 || inChannels != outChannels)
            Downsample = new ConvUnit(inChannels, outChannels, (1, 1, 1), stride, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        var branch = new List<(string, StreamModule)>();
        if (shift is not null) branch.Add(("shift", shift));
        branch.AddRange([("conv1", Conv1), ("conv2", Conv2), ("conv3", Conv3)]);
        body = new Residual("Residual", branch, Downsample is null ? null : ("downsample", Downsample));
        register_module("body", body);
    }

    /// <summary>Only <c>body</c> is registered: the typed accessors must not register its parts a second time.</summary>
    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor input, StreamState? state) => F.relu(body.Forward(input, state));

    public override TemporalProfile Temporal => body.Temporal;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => body.Trace(input, trace);
}
