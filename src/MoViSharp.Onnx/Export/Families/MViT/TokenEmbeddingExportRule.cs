using MoViSharp.Families.MViT;
using MoViSharp.Onnx.Export.Rules;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Export.Families.MViT;

/// <summary>
/// MViT's <see cref="TokenEmbedding"/>: patch features [B, C, T, H, W] → tokens [B, 1+N, C]. The embedding is affine in its
/// input — tokens(x) = [0; flatten(x)] + tokens(0), where tokens(0) holds the class token and the absolute positions — so the
/// graph pads one zero token in front and adds that one constant (no batch-sized class token to build).
/// </summary>
public sealed class TokenEmbeddingExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not TokenEmbedding embedding) return null;
        if (!context.IsClip) throw new OnnxExportException(embedding, embedding.NotStreamableReason);
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(embedding);
        var s = input.Shape;
        var grid = embedding.Grid;
        if (s.Frames != grid.Time || s.Height != grid.Height || s.Width != grid.Width)
            throw new OnnxExportException(embedding, $"it is built for a {grid} patch grid (its positions fix the clip size), the clip gives {s.Frames}×{s.Height}×{s.Width}");
        long c = s.Channels, n = grid.Count;
        float[] offset;
        using (NewDisposeScope())
        using (no_grad())
            offset = TensorValues.Floats(embedding.Forward(zeros([1L, c, grid.Time, grid.Height, grid.Width]), null));
        var tokens = g.Node("Transpose", [g.Node("Reshape", [input.Value, g.Int64s(0, c, n)], $"{hint}.flat")], $"{hint}.grid",
            attributes: [OnnxAttributes.Ints("perm", 0, 2, 1)]);                                                       // [B, N, C]
        var padded = g.Node("Pad", [tokens, g.Int64s(0, 1, 0, 0, 0, 0)], $"{hint}.padded");                           // [B, 1+N, C]
        return new OnnxActivation(g.Node("Add", [padded, g.Floats(offset, [1, 1 + n, c], $"{hint}.offset")], hint), s) { Tokens = true };
    }
}
