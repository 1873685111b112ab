using MoViSharp.Layers;
using MoViSharp.Models;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// Every knob of a MoViNet, as data. Builders (<see cref="MoViNet"/>) are functions of this record; the registry
/// (<see cref="ModelRegistry"/>) names the published configurations (<see cref="MoViNetFamily"/>).
/// </summary>
public sealed record MoViNetConfig : ModelConfig
{
    public override string Family => MoViNetFamily.FamilyName;
    public required MoViNetVariant Variant { get; init; }
    public required int StemChannels { get; init; }
    public required IReadOnlyList<StageSpec> Stages { get; init; }
    public required int HeadChannels { get; init; }
    public required int HiddenChannels { get; init; }

    public ConvType ConvType { get; init; } = ConvType.ThreeD;
    public SqueezeExcitationType SeType { get; init; } = SqueezeExcitationType.ThreeD;
    public ActivationKind Activation { get; init; } = ActivationKind.Swish;
    public GateKind Gate { get; init; } = GateKind.Sigmoid;
    public ActivationKind ClassifierActivation { get; init; } = ActivationKind.Swish;
    public bool Causal { get; init; }
    public bool PositionalEncoding { get; init; }
    public bool ReZero { get; init; } = true;
    /// <summary>Rate of the last layer; layer i of N drops with rate·i/N during training.</summary>
    public double StochasticDepthRate { get; init; } = 0.2;
    /// <summary>Dropout before the final classifier convolution (training only).</summary>
    public double DropoutRate { get; init; } = 0.2;
    public double BatchNormEpsilon { get; init; } = 1e-3;
    /// <summary>PyTorch convention (1 − Keras momentum 0.99).</summary>
    public double BatchNormMomentum { get; init; } = 0.01;

    /// <summary>The clip the model was trained and evaluated on (frames, square size).</summary>
    public int NativeFrames { get; init; } = 50;
    public int NativeSize { get; init; } = 172;

    public int LayerCount => Stages.Sum(s => s.Layers.Count);

    public override string Id => $"{Name}-{Variant.ToString().ToLowerInvariant()}";

    /// <summary>
    /// RGB in [0, 1], no normalisation, a centred square scaled to the native size; frames at the video's own rate (the
    /// recipes' temporal strides are in movinet.md §4.1 and are applied only when asked, e.g. <c>--fps</c>).
    /// </summary>
    public override Preprocessing Preprocessing => new() { Frames = NativeFrames, Size = NativeSize };

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        NativeFrames = frames, NativeSize = size,
        DropoutRate = dropout ?? DropoutRate, StochasticDepthRate = stochasticDepth ?? StochasticDepthRate,
    };
}
