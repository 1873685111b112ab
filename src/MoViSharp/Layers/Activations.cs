using TorchSharp;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>Applies <see cref="ActivationKind"/> and <see cref="GateKind"/> functions.</summary>
public static class Activations
{
    public static Tensor Apply(Tensor x, ActivationKind kind) => kind switch
    {
        ActivationKind.Swish => F.silu(x),
        ActivationKind.HardSwish => F.hardswish(x),
        ActivationKind.Relu6 => F.relu6(x),
        ActivationKind.Identity => x.alias(),
        ActivationKind.Relu => F.relu(x),
        ActivationKind.Sigmoid => x.sigmoid(),
        ActivationKind.Gelu => F.gelu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    // Held for the process (see Scalars): Keras's hard sigmoid is clamp(0.2·x + 0.5, 0, 1).
    private static readonly Scalar KerasSlope = 0.2.ToScalar(), KerasOffset = 0.5.ToScalar();

    public static Tensor Gate(Tensor x, GateKind kind) => kind switch
    {
        GateKind.Sigmoid => x.sigmoid(),
        GateKind.HardSigmoidKeras => x.mul(KerasSlope).add_(KerasOffset, Scalars.One).clamp_(Scalars.ZeroReal, Scalars.OneReal),
        GateKind.HardSigmoidRelu6 => F.hardsigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
