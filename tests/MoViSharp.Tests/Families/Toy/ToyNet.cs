using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Tests.Families.Toy;

/// <summary>
/// A small causal video classifier built only from shared blocks and containers: a strided spatial stem, residual blocks of
/// pointwise → causal temporal depthwise → pointwise with a multiplicative gate (BroadcastReduce), a cumulative pool and a
/// linear head. It has no code of its own beyond wiring.
/// </summary>
public sealed class ToyNet : VideoModel
{
    private readonly ToyConfig config;

    public override ModelConfig Config => config;

    public ToyNet(ToyConfig config) : base($"Toy-{config.Name}", Parts(config)) => this.config = config;

    private static IEnumerable<(string, StreamModule)> Parts(ToyConfig c)
    {
        int w = c.Width;
        yield return ("stem", new ConvUnit(3, w, (1, 3, 3), 2, activation: ActivationKind.Relu, batchNormEpsilon: 1e-5, batchNormMomentum: 0.1));
        var blocks = Enumerable.Range(0, c.Blocks).Select(i => ($"block{i}", (StreamModule)Block(w, c.TemporalKernel)));
        yield return ("blocks", new Sequential("Blocks", blocks));
        yield return ("pool", new CumulativeAveragePool());
        yield return ("head", new ConvUnit(w, c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false));
    }

    private static Residual Block(int width, int kernelTime)
    {
        var gate = new Sequential("Gate", [
            ("pool", new SpatialAveragePool()),
            ("fc", new ConvUnit(width * 2, width * 2, (1, 1, 1), useBias: true, batchNorm: false, activation: ActivationKind.Sigmoid)),
        ]);
        return new Residual("ToyBlock", [
            ("expand", new ConvUnit(width, width * 2, (1, 1, 1), activation: ActivationKind.Relu)),
            ("temporal", new ConvUnit(width * 2, width * 2, (kernelTime, 1, 1), groups: width * 2, activation: ActivationKind.Relu,
                temporalPadding: TemporalPadding.Causal)),
            ("gated", new BroadcastReduce(Reduction.Multiply, [("identity", null), ("gate", gate)])),
            ("project", new ConvUnit(width * 2, width, (1, 1, 1))),
        ], scaleName: "scale");
    }
}
