using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="PositionalEncoding"/>: in a clip the scaled encoding of positions 0…T−1 is one constant added; in a stream the
/// position is the frame-count state (int32 [B]) and the sines and cosines are computed from it each step.
/// </summary>
public sealed class PositionalEncodingExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not PositionalEncoding pe) return null;
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(pe);
        float scale = pe.Scale.detach().item<float>();
        int c = pe.Channels;
        if (context.IsClip)
        {
            long t = input.Shape.Frames;
            float[] table;
            using (var scope = NewDisposeScope())
                table = PositionalEncoding.Encode(zeros(1, dtype: ScalarType.Int32), t, c).mul(scale).contiguous().data<float>().ToArray();
            var encoding = g.Floats(table, [1, c, t, 1, 1], $"{hint}.table");
            return input with { Value = g.Node("Add", [input.Value, encoding], hint) };
        }
        float[] frequencies;
        using (var scope = NewDisposeScope())
            frequencies = pow(10000.0, arange(c / 2, dtype: ScalarType.Float64).mul(-2.0 / c)).to_type(ScalarType.Float32).data<float>().ToArray();
        var count = context.State(pe.CountKey, DataType.Int32, []);
        context.SetState(pe.CountKey, g.Node("Add", [count, g.Constant(OnnxConstant.Int32([1], []), "const_one_i32")], $"{hint}.count"));
        var position = g.Node("Unsqueeze", [g.Node("Cast", [count], $"{hint}.position", type: DataType.Float,
            attributes: [OnnxAttributes.Int("to", (long)DataType.Float)]), g.Int64s(1)], $"{hint}.position_column");   // [B, 1]
        var angles = g.Node("Mul", [position, g.Floats(frequencies, [1, c / 2], $"{hint}.frequencies")], $"{hint}.angles");
        var encodingStep = g.Node("Concat", [g.Node("Sin", [angles], $"{hint}.sin"), g.Node("Cos", [angles], $"{hint}.cos")], $"{hint}.encoding",
            attributes: [OnnxAttributes.Int("axis", 1)]);
        var scaled = g.Node("Mul", [encodingStep, g.Scalar(scale, $"{hint}.scale")], $"{hint}.scaled");
        var column = g.Node("Reshape", [scaled, g.Int64s(0, c, 1, 1)], $"{hint}.column");
        return input with { Value = g.Node("Add", [input.Value, column], hint) };
    }
}
