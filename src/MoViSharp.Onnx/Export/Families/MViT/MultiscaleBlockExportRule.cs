using MoViSharp.Families.MViT;
using MoViSharp.Onnx.Export.Rules;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families.MViT;

/// <summary>
/// MViT's <see cref="MultiscaleBlock"/> as its parts: x₁ = skip + attention(norm1(x)), out = shortcut + mlp(norm2(x₁)). The
/// skip is x (v2 with a width change: project(norm1(x))), max-pooled where the block downsamples; the shortcut is x₁ (v1 with a
/// width change: project(norm2(x₁))). The norms, the MLP and the attention are exported by their own rules.
/// </summary>
public sealed class MultiscaleBlockExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not MultiscaleBlock block) return null;
        if (!input.Tokens) throw new OnnxExportException(block, "it takes tokens [B, 1+N, C], and the value here is a video");
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(block);
        var normed = context.Export(block.Norm1, input);
        var attended = context.Export(block.Attention, normed);
        var skip = block.Project is { } p && block.ProjectAfterAttention
            ? normed with { Value = TokenOps.Linear(g, normed.Value, p, $"{hint}.project"), Shape = input.Shape with { Channels = (int)p.weight!.shape[0] } }
            : input;
        if (block.StreamChildren.FirstOrDefault(c => c.Name == "skip_pool").Module is { } skipPool) skip = context.Export(skipPool, skip);
        var x1 = attended with { Value = g.Node("Add", [skip.Value, attended.Value], $"{hint}.attention_residual") };
        var normed2 = context.Export(block.Norm2, x1);
        var shortcut = block.Project is { } q && !block.ProjectAfterAttention ? TokenOps.Linear(g, normed2.Value, q, $"{hint}.project") : x1.Value;
        var mlp = context.Export(block.Mlp, normed2);
        return mlp with { Value = g.Node("Add", [shortcut, mlp.Value], hint) };
    }
}
