using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// Stateless pools: <see cref="GlobalAveragePool"/> (clips only), <see cref="SpatialAveragePool"/>, <see cref="TfSameAveragePool"/>
/// (TF "same" padding in the node, padding not counted), and PyTorch-semantics <see cref="MaxPool"/> / <see cref="AveragePool"/>
/// (a stream form only when they pool one frame at a time).
/// </summary>
public sealed class PoolingExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(module);
        switch (module)
        {
            case GlobalAveragePool:
                if (!context.IsClip) throw new OnnxExportException(module, module.NotStreamableReason ?? "it pools the whole clip");
                return new OnnxActivation(g.Node("GlobalAveragePool", [input.Value], hint), input.Shape with { Frames = 1, Height = 1, Width = 1 });
            case SpatialAveragePool:
                return new OnnxActivation(SpatialMean(g, input.Value, context.IsClip, hint), input.Shape with { Height = 1, Width = 1 });
            case TfSameAveragePool pool:
            {
                var (top, bottom) = SamePadding.For(input.Shape.Height, pool.Kernel, pool.Stride);
                var (left, right) = SamePadding.For(input.Shape.Width, pool.Kernel, pool.Stride);
                long[] kernel = context.IsClip ? [1, pool.Kernel, pool.Kernel] : [pool.Kernel, pool.Kernel];
                long[] strides = context.IsClip ? [1, pool.Stride, pool.Stride] : [pool.Stride, pool.Stride];
                long[] pads = context.IsClip ? [0, top, left, 0, bottom, right] : [top, left, bottom, right];
                var y = OnnxGraph.Quantizable(g.Node("AveragePool", [input.Value], hint, attributes:
                [
                    OnnxAttributes.Ints("kernel_shape", kernel), OnnxAttributes.Ints("strides", strides),
                    OnnxAttributes.Ints("pads", pads), OnnxAttributes.Int("count_include_pad", 0),
                ]));
                return new OnnxActivation(y, context.OutputShape(pool, input.Shape));
            }
            case MaxPool pool:
                return Window(context, pool, input, "MaxPool", pool.Kernel, pool.Stride, pool.Padding, pool.CeilMode, null);
            case AveragePool pool:
                return Window(context, pool, input, "AveragePool", pool.Kernel, pool.Stride, pool.Padding, pool.CeilMode, pool.CountIncludePad);
            default:
                return null;
        }
    }

    /// <summary>Mean over each frame's space, keeping dims: [B,C,H,W] → [B,C,1,1] or [B,C,T,H,W] → [B,C,T,1,1].</summary>
    internal static OnnxValue SpatialMean(OnnxGraph g, OnnxValue x, bool clip, string hint) => clip
        ? g.Node("ReduceMean", [x], hint, attributes: [OnnxAttributes.Ints("axes", 3, 4), OnnxAttributes.Int("keepdims", 1)])
        : g.Node("GlobalAveragePool", [x], hint);

    private static OnnxActivation Window(OnnxExportContext context, StreamModule pool, OnnxActivation input, string op,
        (int Time, int Height, int Width) kernel, (int Time, int Height, int Width) stride, (int Time, int Height, int Width) padding,
        bool ceil, bool? countIncludePad)
    {
        if (!context.IsClip && pool.NotStreamableReason is { } reason) throw new OnnxExportException(pool, reason);
        long[] k = context.IsClip ? [kernel.Time, kernel.Height, kernel.Width] : [kernel.Height, kernel.Width];
        long[] s = context.IsClip ? [stride.Time, stride.Height, stride.Width] : [stride.Height, stride.Width];
        long[] p = context.IsClip
            ? [padding.Time, padding.Height, padding.Width, padding.Time, padding.Height, padding.Width]
            : [padding.Height, padding.Width, padding.Height, padding.Width];
        var attributes = new List<OnnxProto.AttributeProto>
        {
            OnnxAttributes.Ints("kernel_shape", k), OnnxAttributes.Ints("strides", s), OnnxAttributes.Ints("pads", p),
            OnnxAttributes.Int("ceil_mode", ceil ? 1 : 0),
        };
        if (countIncludePad is { } include) attributes.Add(OnnxAttributes.Int("count_include_pad", include ? 1 : 0));
        var y = context.Graph.Node(op, [input.Value], OnnxExportContext.Hint(pool), attributes: attributes);
        return new OnnxActivation(y, context.OutputShape(pool, input.Shape));
    }
}
