using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// An activation as a layer of its own (pointwise, no state), for blocks that apply one after something other than a
/// <see cref="ConvUnit"/>: X3D's swish after its squeeze-excitation gate, the ReLU after a residual sum.
/// </summary>
public sealed class Activation(ActivationKind kind) : StreamModule(nameof(Activation))
{
    public ActivationKind Kind { get; } = kind;

    public override Tensor Forward(Tensor x, StreamState? state) => Activations.Apply(x, Kind);

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input;
}
