using MoViSharp.Layers;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// Activations applied in place: at inference nothing else reads a pre-activation tensor, so overwriting it saves an allocation
/// and a memory pass per layer. The kernels are the ones <see cref="Activations"/> uses, so the numbers are identical.
/// </summary>
internal static class InPlaceActivation
{
    public static void Apply(Tensor x, ActivationKind kind)
    {
        switch (kind)
        {
            case ActivationKind.Identity: break;
            case ActivationKind.HardSwish: x.hardswish_(); break;
            case ActivationKind.Relu6: x.relu6_(); break;
            case ActivationKind.Swish: x.silu_(); break;
            case ActivationKind.Relu: x.relu_(); break;
            case ActivationKind.Sigmoid: x.sigmoid_(); break;
            case ActivationKind.Gelu: x.copy_(TorchSharp.torch.nn.functional.gelu(x)); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
