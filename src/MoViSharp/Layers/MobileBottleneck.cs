using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Layers;

/// <summary>Everything that defines one inverted-bottleneck layer (MobileNetV3-style, as in MoViNets).</summary>
public sealed record BottleneckOptions(
    int InChannels, int OutChannels, int ExpandChannels, (int Time, int Size) Kernel, int Stride,
    ConvType ConvType, SqueezeExcitationType SeType, ActivationKind Activation, GateKind Gate,
    bool Causal, bool PositionalEncoding, bool ReZero, double StochasticDepthRate,
    double BatchNormEpsilon, double BatchNormMomentum);

/// <summary>
/// An inverted bottleneck (TF MovinetBlock) as a <see cref="Residual"/>: expansion 1×1×1 → depthwise feature → squeeze-excitation
/// → projection 1×1×1 (no activation), times a ReZero scale, with stochastic depth, added to the shortcut (identity, or a
/// projection when the channels or the stride change).
/// </summary>
public sealed class MobileBottleneck : Residual
{
    public BottleneckOptions Options { get; }
    public ConvUnit Expansion { get; }
    public DepthwiseFeature Feature { get; }
    public SqueezeExcitation? SqueezeExcitation { get; }
    public ConvUnit Projection { get; }
    public SkipProjection? Skip => Shortcut as SkipProjection;
    public TorchSharp.Modules.Parameter? ReZeroScale => Scale;

    public MobileBottleneck(BottleneckOptions o) : this(o, Parts.Of(o)) { }

    private MobileBottleneck(BottleneckOptions o, Parts parts)
        : base(nameof(MobileBottleneck), parts.Branch, parts.Skip is null ? null : ("skip", parts.Skip), o.ReZero ? "rezero" : null, o.StochasticDepthRate)
    {
        Options = o;
        (Expansion, Feature, SqueezeExcitation, Projection) = (parts.Expansion, parts.Feature, parts.SqueezeExcitation, parts.Projection);
    }

    private sealed record Parts(ConvUnit Expansion, DepthwiseFeature Feature, SqueezeExcitation? SqueezeExcitation, ConvUnit Projection, SkipProjection? Skip)
    {
        public IEnumerable<(string, StreamModule)> Branch
        {
            get
            {
                yield return ("expansion", Expansion);
                yield return ("feature", Feature);
                if (SqueezeExcitation is not null) yield return ("se", SqueezeExcitation);
                yield return ("projection", Projection);
            }
        }

        public static Parts Of(BottleneckOptions o)
        {
            var pointwise = o.ConvType == ConvType.TwoPlusOneD ? ConvExecution.Conv2dOnFrames : ConvExecution.Conv3d;
            var temporalPadding = o.Causal ? TemporalPadding.Causal : TemporalPadding.Same;
            return new Parts(
                new ConvUnit(o.InChannels, o.ExpandChannels, (1, 1, 1), activation: o.Activation, execution: pointwise,
                    batchNormEpsilon: o.BatchNormEpsilon, batchNormMomentum: o.BatchNormMomentum),
                new DepthwiseFeature(o.ExpandChannels, o.Kernel, o.Stride, o.ConvType, o.Activation, temporalPadding,
                    o.BatchNormEpsilon, o.BatchNormMomentum),
                o.SeType == SqueezeExcitationType.None ? null
                    : new SqueezeExcitation(o.ExpandChannels, o.SeType, o.Activation, o.Gate, o.Causal, o.PositionalEncoding),
                new ConvUnit(o.ExpandChannels, o.OutChannels, (1, 1, 1), execution: pointwise,
                    batchNormEpsilon: o.BatchNormEpsilon, batchNormMomentum: o.BatchNormMomentum),
                o.InChannels != o.OutChannels || o.Stride != 1
                    ? new SkipProjection(o.InChannels, o.OutChannels, o.Stride, pointwise, o.BatchNormEpsilon, o.BatchNormMomentum)
                    : null);
        }
    }
}
