using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>Everything that defines one bottleneck layer of a MoViNet.</summary>
public sealed record BottleneckOptions(
    int InChannels, int OutChannels, int ExpandChannels, (int Time, int Size) Kernel, int Stride,
    ConvType ConvType, SqueezeExcitationType SeType, ActivationKind Activation, GateKind Gate,
    bool Causal, bool PositionalEncoding, bool ReZero, double StochasticDepthRate, string StatePrefix,
    double BatchNormEpsilon, double BatchNormMomentum);

/// <summary>
/// A MoViNet bottleneck layer (TF MovinetBlock): expansion 1×1×1 → depthwise feature → squeeze-excitation → projection 1×1×1
/// (no activation) → ReZero scale → stochastic depth, added to the shortcut (identity, or a projection when the channels or
/// the stride change).
/// </summary>
public sealed class MobileBottleneck : VideoLayer
{
    private readonly ConvUnit expansion;
    private readonly DepthwiseFeature feature;
    private readonly SqueezeExcitation? se;
    private readonly ConvUnit projection;
    private readonly Parameter? rezero;
    private readonly SkipProjection? skip;

    public BottleneckOptions Options { get; }
    public ConvUnit Expansion => expansion;
    public DepthwiseFeature Feature => feature;
    public SqueezeExcitation? SqueezeExcitation => se;
    public ConvUnit Projection => projection;
    public Parameter? ReZeroScale => rezero;
    public SkipProjection? Skip => skip;

    public MobileBottleneck(BottleneckOptions o) : base(nameof(MobileBottleneck))
    {
        Options = o;
        var pointwise = o.ConvType == ConvType.TwoPlusOneD ? ConvExecution.Conv2dOnFrames : ConvExecution.Conv3d;
        var temporalPadding = o.Causal ? TemporalPadding.Causal : TemporalPadding.Same;
        expansion = new ConvUnit(o.InChannels, o.ExpandChannels, (1, 1, 1), activation: o.Activation, execution: pointwise,
            batchNormEpsilon: o.BatchNormEpsilon, batchNormMomentum: o.BatchNormMomentum);
        feature = new DepthwiseFeature(o.ExpandChannels, o.Kernel, o.Stride, o.ConvType, o.Activation, temporalPadding,
            StateNames.StreamBuffer(o.StatePrefix), o.BatchNormEpsilon, o.BatchNormMomentum);
        if (o.SeType != SqueezeExcitationType.None)
            se = new SqueezeExcitation(o.ExpandChannels, o.SeType, o.Activation, o.Gate, o.Causal, o.PositionalEncoding, o.StatePrefix);
        projection = new ConvUnit(o.ExpandChannels, o.OutChannels, (1, 1, 1), execution: pointwise,
            batchNormEpsilon: o.BatchNormEpsilon, batchNormMomentum: o.BatchNormMomentum);
        if (o.ReZero) rezero = new Parameter(zeros(Array.Empty<long>()));
        if (o.InChannels != o.OutChannels || o.Stride != 1)
            skip = new SkipProjection(o.InChannels, o.OutChannels, o.Stride, pointwise, o.BatchNormEpsilon, o.BatchNormMomentum);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var shortcut = skip is not null ? skip.Forward(x, state) : x;
        var y = expansion.Forward(x, state);
        y = feature.Forward(y, state);
        if (se is not null) y = se.Forward(y, state);
        y = projection.Forward(y, state);
        if (rezero is not null) y = y.mul(rezero);
        y = StochasticDepth.Apply(y, Options.StochasticDepthRate, training);
        return shortcut.add(y);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        if (skip is not null) skip.Trace(input, trace);
        var y = feature.Trace(expansion.Trace(input, trace), trace);
        if (se is not null) se.Trace(y, trace);
        return projection.Trace(y, trace);
    }
}
