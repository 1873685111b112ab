using MoViSharp.Layers;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary><see cref="Dropout"/>: the identity at inference (no node).</summary>
public sealed class DropoutExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context) => module is Dropout ? input : null;
}
