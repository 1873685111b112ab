using MoViSharp.Families.MViT;
using MoViSharp.Onnx.Export.Rules;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families.MViT;

/// <summary>MViT's <see cref="TokenMaxPool"/>: its shared MaxPool on the grid tokens viewed as a video; the class token passes around it.</summary>
public sealed class TokenMaxPoolExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not TokenMaxPool skipPool) return null;
        var pool = skipPool.StreamChildren.Single().Module;
        var (tokens, grid) = TokenOps.PoolGrid(context.Graph, input.Value, [], input.Shape, 1, video => context.Export(pool, video),
            OnnxExportContext.Hint(skipPool));
        return new OnnxActivation(tokens, grid) { Tokens = true };
    }
}
