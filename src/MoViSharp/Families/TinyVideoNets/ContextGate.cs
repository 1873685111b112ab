using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// Context gating (Xie et al. 2018, as TVN uses it): x · sigmoid(W·mean_{T,H,W}(x) + b), one gate per channel from the whole clip
/// (<c>pool</c>, a <see cref="GlobalAveragePool"/>, so a clip-only layer) through a 1×1×1 conv with bias (<c>fc</c>).
/// </summary>
public sealed class ContextGate : StreamModule
{
    private readonly GlobalAveragePool pool = new();
    private readonly ConvUnit fc;

    public ConvUnit Fc => fc;

    public ContextGate(int channels) : base(nameof(ContextGate))
    {
        fc = new ConvUnit(channels, channels, (1, 1, 1), useBias: true, batchNorm: false, activation: ActivationKind.Sigmoid, padding: (0, 0, 0));
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, StreamState? state) => x.mul(fc.Forward(pool.Forward(x, state), state));

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        fc.Trace(pool.Trace(input, trace), trace);
        return input;
    }
}
