using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary><see cref="Sequential"/> (models, stages, heads, depthwise features, skip projections): its children in order.</summary>
public sealed class SequentialExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context) =>
        module is Sequential sequential and not Residual ? context.ExportSequence(sequential.Items.Select(i => i.Module), input) : null;
}
