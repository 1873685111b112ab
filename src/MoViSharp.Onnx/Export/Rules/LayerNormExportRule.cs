using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="LayerNorm"/>: one LayerNormalization over the last axis on tokens; on a video (channels second) the channels are
/// moved last around it.
/// </summary>
public sealed class LayerNormExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not LayerNorm norm) return null;
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(norm);
        OnnxValue Normalize(OnnxValue x) => g.Node("LayerNormalization", [x,
                g.Floats(TensorValues.Floats(norm.Weight), [norm.Channels], $"{hint}.weight"),
                g.Floats(TensorValues.Floats(norm.Bias), [norm.Channels], $"{hint}.bias")], hint,
            attributes: [OnnxAttributes.Int("axis", -1), OnnxAttributes.Float("epsilon", (float)norm.Epsilon)]);
        if (input.Tokens) return input with { Value = Normalize(input.Value) };
        long[] last = context.IsClip ? [0, 2, 3, 4, 1] : [0, 2, 3, 1], back = context.IsClip ? [0, 4, 1, 2, 3] : [0, 3, 1, 2];
        var channelsLast = g.Node("Transpose", [input.Value], $"{hint}.channels_last", attributes: [OnnxAttributes.Ints("perm", last)]);
        return input with { Value = g.Node("Transpose", [Normalize(channelsLast)], $"{hint}.channels_first", attributes: [OnnxAttributes.Ints("perm", back)]) };
    }
}
