using MoViSharp.Layers.Transformers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="RecyclingPositionalEncoding"/> on per-frame tokens: in a stream the frame count (int32 [B], the module's state)
/// modulo the table length picks the row added; in a clip rows 0…T−1 (mod the length) are one constant added.
/// </summary>
public sealed class RecyclingPositionalEncodingExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not RecyclingPositionalEncoding encoding) return null;
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(encoding);
        var table = TensorValues.Floats(encoding.named_parameters().Single(p => p.name == "embeddings").parameter);     // [P, C]
        int positions = encoding.Positions, c = table.Length / positions;
        if (input.Shape.Channels != c || input.Shape.Height != 1 || input.Shape.Width != 1)
            throw new OnnxExportException(encoding, $"it takes per-frame tokens [{c}, T, 1, 1], got {input.Shape}");
        if (context.IsClip)
        {
            int t = (int)input.Shape.Frames;
            var rows = new float[c * t];          // [C, T]: frame i gets row i mod P
            for (int i = 0; i < t; i++)
                for (int ch = 0; ch < c; ch++) rows[ch * t + i] = table[(i % positions) * c + ch];
            return input with { Value = g.Node("Add", [input.Value, g.Floats(rows, [1, c, t, 1, 1], $"{hint}.table")], hint) };
        }
        var count = context.State(encoding.CountKey, DataType.Int32, []);
        context.SetState(encoding.CountKey, g.Node("Add", [count, g.Constant(OnnxConstant.Int32([1], []), "const_one_i32")], $"{hint}.count"));
        var index = g.Node("Mod", [count, g.Constant(OnnxConstant.Int32([positions], []), $"{hint}.positions")], $"{hint}.index");
        var row = g.Node("Gather", [g.Floats(table, [positions, c], $"{hint}.embeddings"), index], $"{hint}.row",
            attributes: [OnnxAttributes.Int("axis", 0)]);                                                                   // [B, C]
        return input with { Value = g.Node("Add", [input.Value, g.Node("Reshape", [row, g.Int64s(0, c, 1, 1)], $"{hint}.column")], hint) };
    }
}
