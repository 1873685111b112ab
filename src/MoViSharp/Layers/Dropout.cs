using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>Dropout with rate <see cref="Rate"/> in training; the identity at inference.</summary>
public sealed class Dropout(double rate) : StreamModule(nameof(Dropout))
{
    public double Rate { get; } = rate;

    public override Tensor Forward(Tensor x, StreamState? state) => Rate > 0 && training ? F.dropout(x, Rate, training) : x;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input;
}
