using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="ConvUnit"/>: one Conv node with the BatchNorm folded into weight and bias and the padding ("same" or explicit,
/// asymmetric when TF-same needs it) written into the node itself, then the activation. In the stream forms a temporal kernel
/// reads its buffered frames (<see cref="OnnxExportContext.Buffer"/>): a causal depthwise k_t×1×1 kernel becomes k_t multiply-adds
/// over the ring's frames (ring form) or a (k_t, 1) depthwise Conv over the stacked buffer (plain form); any other temporal
/// kernel a 3-D Conv over the stacked frames with no temporal padding.
/// </summary>
public sealed class ConvUnitExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not ConvUnit unit) return null;
        var output = context.OutputShape(unit, input.Shape);
        var (weight, bias) = Folded(unit);
        string hint = OnnxExportContext.Hint(unit);
        var g = context.Graph;
        var k = unit.Kernel;
        var (top, bottom, left, right) = SpatialPadding(unit, input.Shape);
        OnnxValue y;
        if (context.IsClip)
        {
            var (before, after) = k.Time == 1 ? (0, 0) : unit.TimePadding(input.Shape.Frames);
            y = Conv(g, input.Value, weight, [unit.OutChannels, unit.InChannels / unit.Groups, k.Time, k.Height, k.Width], bias, hint,
                [k.Time, k.Height, k.Width], [unit.TemporalStride, unit.SpatialStride, unit.SpatialStride],
                [before, top, left, after, bottom, right], unit.Groups);
        }
        else if (k.Time == 1)
        {
            if (unit.TemporalStride != 1) throw new OnnxExportException(unit, $"a temporal stride of {unit.TemporalStride} cannot run frame by frame");
            y = Conv(g, input.Value, weight, [unit.OutChannels, unit.InChannels / unit.Groups, k.Height, k.Width], bias, hint,
                [k.Height, k.Width], [unit.SpatialStride, unit.SpatialStride], [top, left, bottom, right], unit.Groups);
        }
        else return new OnnxActivation(Temporal(unit, input, output, weight, bias, (top, bottom, left, right), context), output);
        y = context.Activate(y, unit.Activation, hint);
        return new OnnxActivation(y, output);
    }

    /// <summary>The BatchNorm-folded weight [C_out, C_in/g, k_t, k_h, k_w] and bias as float arrays.</summary>
    internal static (float[] Weight, float[] Bias) Folded(ConvUnit unit)
    {
        var (w, b) = BatchNormFolding.Fold(unit);
        using (w) using (b) return (w.data<float>().ToArray(), b.data<float>().ToArray());
    }

    internal static (long Top, long Bottom, long Left, long Right) SpatialPadding(ConvUnit unit, Profiling.VideoShape input)
    {
        if (unit.ExplicitPadding is { } p) return (p.Height, p.Height, p.Width, p.Width);
        var (top, bottom) = SamePadding.For(input.Height, unit.Kernel.Height, unit.SpatialStride);
        var (left, right) = SamePadding.For(input.Width, unit.Kernel.Width, unit.SpatialStride);
        return (top, bottom, left, right);
    }

    internal static OnnxValue Conv(OnnxGraph g, OnnxValue x, float[] weight, long[] weightShape, float[] bias, string hint,
        long[] kernel, long[] strides, long[] pads, int groups)
    {
        var w = g.Floats(weight, weightShape, $"{hint}.weight");
        var b = g.Floats(bias, [bias.Length], $"{hint}.bias");
        return OnnxGraph.Quantizable(g.Node("Conv", [x, w, b], hint, attributes:
        [
            OnnxAttributes.Ints("kernel_shape", kernel), OnnxAttributes.Ints("strides", strides), OnnxAttributes.Ints("pads", pads),
            OnnxAttributes.Ints("dilations", kernel.Select(_ => 1L).ToArray()), OnnxAttributes.Int("group", groups),
        ]));
    }

    private static OnnxValue Temporal(ConvUnit unit, OnnxActivation input, Profiling.VideoShape output, float[] weight, float[] bias,
        (long Top, long Bottom, long Left, long Right) pad, OnnxExportContext context)
    {
        if (unit.TemporalStride != 1) throw new OnnxExportException(unit, $"a temporal stride of {unit.TemporalStride} cannot run frame by frame");
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(unit);
        var k = unit.Kernel;
        var frames = context.Buffer(unit.Buffer!.Path, k.Time - 1, input, hint);
        long c = unit.InChannels, h = input.Shape.Height, w = input.Shape.Width;
        bool depthwise = k.Height == 1 && k.Width == 1 && unit.Groups == c && unit.OutChannels == c && unit.SpatialStride == 1;
        if (depthwise && context.Form == OnnxExportForm.StreamRing && !context.Options.TemporalDepthwiseAsConv)
        {
            // y = b + Σ_j w_j ⊙ frame_j: no frame is copied into a stack.
            var terms = new List<OnnxValue?>();
            for (int j = 0; j < k.Time; j++)
            {
                var tap = new float[c];
                for (int ch = 0; ch < c; ch++) tap[ch] = weight[ch * k.Time + j];
                terms.Add(g.Node("Mul", [frames.Frame(j), g.Floats(tap, [1, c, 1, 1], $"{hint}.tap{j}")], $"{hint}.tap{j}"));
            }
            terms.Add(g.Floats(bias, [1, c, 1, 1], $"{hint}.bias"));
            return context.Activate(g.Node("Sum", terms, hint), unit.Activation, hint);
        }
        if (depthwise)
        {
            // The stacked frames as [B, C, k_t, H·W] and a (k_t, 1) depthwise kernel: TFLite's form of the causal temporal conv.
            var flat = g.Node("Reshape", [frames.Stacked(), g.Int64s(0, c, k.Time, h * w)], $"{hint}.flat");
            var y2 = Conv(g, flat, weight, [c, 1, k.Time, 1], bias, hint, [k.Time, 1], [1, 1], [0, 0, 0, 0], (int)c);
            // The activation before the reshape: ONNX Runtime fuses it into the Conv, and int8 folds it into the Conv's output range.
            return g.Node("Reshape", [context.Activate(y2, unit.Activation, hint), g.Int64s(0, c, h, w)], $"{hint}.frame");
        }
        var y = Conv(g, frames.Stacked(), weight, [unit.OutChannels, unit.InChannels / unit.Groups, k.Time, k.Height, k.Width], bias, hint,
            [k.Time, k.Height, k.Width], [1, unit.SpatialStride, unit.SpatialStride], [0, pad.Top, pad.Left, 0, pad.Bottom, pad.Right], unit.Groups);
        return g.Node("Reshape", [context.Activate(y, unit.Activation, hint), g.Int64s(0, output.Channels, output.Height, output.Width)], $"{hint}.frame");
    }
}
