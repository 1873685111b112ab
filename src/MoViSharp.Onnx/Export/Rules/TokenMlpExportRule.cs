using MoViSharp.Layers;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary><see cref="TokenMlp"/> on tokens: Linear, the activation, Linear (dropout is no node).</summary>
public sealed class TokenMlpExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not TokenMlp mlp) return null;
        if (!input.Tokens) throw new OnnxExportException(mlp, "it takes tokens [B, N, C], and the value here is a video");
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(mlp);
        var hidden = context.Activate(TokenOps.Linear(g, input.Value, mlp.Fc1, $"{hint}.fc1"), mlp.Activation, $"{hint}.fc1");
        return new OnnxActivation(TokenOps.Linear(g, hidden, mlp.Fc2, $"{hint}.fc2"), context.OutputShape(mlp, input.Shape)) { Tokens = true };
    }
}
