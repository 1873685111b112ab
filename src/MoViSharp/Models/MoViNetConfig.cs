using MoViSharp.Layers;

namespace MoViSharp.Models;

/// <summary>
/// Every knob of a MoViNet, as data. Builders (<see cref="MoViNet"/>) are functions of this record; the registry
/// (<see cref="ModelRegistry"/>) names the published configurations.
/// </summary>
public sealed record MoViNetConfig
{
    public required string Name { get; init; }
    public required MoViNetVariant Variant { get; init; }
    public required int StemChannels { get; init; }
    public required IReadOnlyList<StageSpec> Stages { get; init; }
    public required int HeadChannels { get; init; }
    public required int HiddenChannels { get; init; }
    public int NumClasses { get; init; } = 600;

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

    public string Id => $"{Name}-{Variant.ToString().ToLowerInvariant()}";
}
