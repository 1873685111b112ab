using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="SqueezeExcitation"/>: its pool (cumulative in streams, by the pool's own rule), the per-frame spatial mean for
/// 2+3-D, the positional encoding, the reduce and expand convolutions, then the gate as one node — Sigmoid, or HardSigmoid
/// with the Keras (0.2, 0.5) or ReLU6 (1/6, 0.5) constants — and x · gate broadcast over space.
/// </summary>
public sealed class SqueezeExcitationExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not SqueezeExcitation se) return null;
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(se);
        var pooledShape = input.Shape with { Height = 1, Width = 1 };
        OnnxActivation pooled;
        var pool = se.named_children().Select(c => c.module).OfType<StreamModule>()
            .FirstOrDefault(m => m is CumulativeAveragePool or GlobalAveragePool);
        switch (se.Type)
        {
            case SqueezeExcitationType.TwoD:
                pooled = new OnnxActivation(PoolingExportRule.SpatialMean(g, input.Value, context.IsClip, $"{hint}.space"), pooledShape);
                break;
            case SqueezeExcitationType.ThreeD:
                pooled = context.Export(pool!, input);
                break;
            case SqueezeExcitationType.TwoPlusThreeD:
            {
                var contextPool = context.Export(pool!, input);
                var space = PoolingExportRule.SpatialMean(g, input.Value, context.IsClip, $"{hint}.space");
                var global = contextPool.Value;
                if (context.IsClip && contextPool.Shape.Frames != input.Shape.Frames)
                    global = g.Node("Expand", [global, g.Int64s(1, 1, input.Shape.Frames, 1, 1)], $"{hint}.context");
                var joined = g.Node("Concat", [global, space], $"{hint}.pooled", attributes: [OnnxAttributes.Int("axis", 1)]);
                pooled = new OnnxActivation(joined, pooledShape with { Channels = 2 * input.Shape.Channels });
                break;
            }
            default:
                throw new OnnxExportException(se, $"unknown squeeze-excitation type {se.Type}");
        }
        if (se.PositionalEncoding is { } pe) pooled = context.Export(pe, pooled);
        var excited = context.Export(se.Expand, context.Export(se.Reduce, pooled));
        var gate = se.Gate switch
        {
            GateKind.Sigmoid => g.Node("Sigmoid", [excited.Value], $"{hint}.gate"),
            GateKind.HardSigmoidKeras => g.Node("HardSigmoid", [excited.Value], $"{hint}.gate",
                attributes: [OnnxAttributes.Float("alpha", 0.2f), OnnxAttributes.Float("beta", 0.5f)]),
            GateKind.HardSigmoidRelu6 => g.Node("HardSigmoid", [excited.Value], $"{hint}.gate",
                attributes: [OnnxAttributes.Float("alpha", 1f / 6f), OnnxAttributes.Float("beta", 0.5f)]),
            _ => throw new OnnxExportException(se, $"unknown gate {se.Gate}"),
        };
        return input with { Value = g.Node("Mul", [input.Value, gate], hint) };
    }
}
