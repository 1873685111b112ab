using MoViSharp.Families.MViT;
using MoViSharp.Onnx.Export.Rules;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families.MViT;

/// <summary>MViT's <see cref="ClassTokenHead"/>: the class token (token 0) → Linear → logits [B, K, 1, 1, 1].</summary>
public sealed class ClassTokenHeadExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not ClassTokenHead head) return null;
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(head);
        var token = g.Node("Gather", [input.Value, g.Int64Scalar(0)], $"{hint}.class_token", attributes: [OnnxAttributes.Int("axis", 1)]);   // [B, C]
        var output = context.OutputShape(head, input.Shape);
        var logits = TokenOps.Linear(g, token, head.Linear, $"{hint}.linear");
        return new OnnxActivation(g.Node("Reshape", [logits, g.Int64s(0, output.Channels, 1, 1, 1)], hint), output);
    }
}
