using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families;

/// <summary>
/// Tiny Video Networks' own modules (clip graphs only; TVN is a clip model): <see cref="TvnBlock"/> is its shared body (a Residual
/// or a Sequential) then ReLU; <see cref="ContextGate"/> is x · sigmoid(fc(clip mean)), the fc by the conv unit's rule; and
/// <see cref="TfSamePool"/> is one MaxPool/AveragePool with TF "same" pads in the node (ONNX never picks a pad for the max and,
/// with count_include_pad 0, divides the average by the real cells only, as TF does).
/// </summary>
public sealed class TinyVideoNetExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        switch (module)
        {
            case TvnBlock block:
            {
                var body = block.StreamChildren.Single(c => c.Name == "body").Module;
                var y = context.Export(body, input);
                return y with { Value = context.Activate(y.Value, ActivationKind.Relu, OnnxExportContext.Hint(block)) };
            }
            case ContextGate gate:
            {
                RequireClip(gate, context);
                var g = context.Graph;
                string hint = OnnxExportContext.Hint(gate);
                var pooled = new OnnxActivation(g.Node("GlobalAveragePool", [input.Value], $"{hint}.pool"),
                    input.Shape with { Frames = 1, Height = 1, Width = 1 });
                var weights = context.Export(gate.Fc, pooled);                                   // the fc's own sigmoid
                return input with { Value = g.Node("Mul", [input.Value, weights.Value], hint) };
            }
            case TfSamePool pool:
            {
                RequireClip(pool, context);
                var s = input.Shape;
                var (front, back) = SamePadding.For(s.Frames, pool.Kernel.Time, pool.Stride.Time);
                var (top, bottom) = SamePadding.For(s.Height, pool.Kernel.Height, pool.Stride.Height);
                var (left, right) = SamePadding.For(s.Width, pool.Kernel.Width, pool.Stride.Width);
                var attributes = new List<OnnxProto.AttributeProto>
                {
                    OnnxAttributes.Ints("kernel_shape", pool.Kernel.Time, pool.Kernel.Height, pool.Kernel.Width),
                    OnnxAttributes.Ints("strides", pool.Stride.Time, pool.Stride.Height, pool.Stride.Width),
                    OnnxAttributes.Ints("pads", front, top, left, back, bottom, right),
                };
                if (!pool.Max) attributes.Add(OnnxAttributes.Int("count_include_pad", 0));
                var y = context.Graph.Node(pool.Max ? "MaxPool" : "AveragePool", [input.Value], OnnxExportContext.Hint(pool), attributes: attributes);
                return new OnnxActivation(y, context.OutputShape(pool, s));
            }
            default:
                return null;
        }
    }

    private static void RequireClip(StreamModule module, OnnxExportContext context)
    {
        if (!context.IsClip) throw new OnnxExportException(module, module.NotStreamableReason ?? "it runs on clips only");
    }
}
