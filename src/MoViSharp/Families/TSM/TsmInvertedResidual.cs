using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;

namespace MoViSharp.Families.TSM;

/// <summary>
/// MobileNetV2's inverted residual on every frame (TSM's archs/mobilenet_v2.py): expand 1×1 → BN → ReLU6 (absent when t = 1),
/// depthwise 3×3 (stride) → BN → ReLU6, project 1×1 → BN; x + branch(x) when the stride is 1 and the width stays. With TSM the
/// shift goes before the expansion conv of every expanding block that has the identity shortcut, so the shortcut stays unshifted.
/// </summary>
public sealed class TsmInvertedResidual : StreamModule
{
    private readonly Sequential body;

    public bool UsesResidual { get; }
    public TemporalShift? Shift { get; }
    public ConvUnit? Expand { get; }
    public ConvUnit Depthwise { get; }
    public ConvUnit Project { get; }

    public TsmInvertedResidual(int inChannels, int outChannels, int stride, int expansion, TemporalShiftMode? shift, int shiftDivisor,
        double eps, double momentum) : base(nameof(TsmInvertedResidual))
    {
        int hidden = inChannels * expansion;
        UsesResidual = stride == 1 && inChannels == outChannels;
        if (expansion != 1)
            Expand = new ConvUnit(inChannels, hidden, (1, 1, 1), activation: ActivationKind.Relu6, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        Depthwise = new ConvUnit(hidden, hidden, (1, 3, 3), stride, groups: hidden, activation: ActivationKind.Relu6, batchNormEpsilon: eps,
            batchNormMomentum: momentum, padding: (0, 1, 1));
        Project = new ConvUnit(hidden, outChannels, (1, 1, 1), batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        // TSM shifts only where it can keep an unshifted identity: expanding blocks with the residual.
        if (shift is { } mode && Expand is not null && UsesResidual) Shift = new TemporalShift(mode, shiftDivisor);
        var branch = new List<(string, StreamModule)>();
        if (Shift is not null) branch.Add(("shift", Shift));
        if (Expand is not null) branch.Add(("expand", Expand));
        branch.AddRange([("depthwise", Depthwise), ("project", Project)]);
        body = UsesResidual ? new Residual("Residual", branch) : new Sequential("Branch", branch);
        register_module("body", body);
    }

    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor input, StreamState? state) => body.Forward(input, state);

    public override TemporalProfile Temporal => body.Temporal;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => body.Trace(input, trace);
}
