using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// How one kind of module becomes ONNX nodes, or null when the module is not one this rule handles (the next rule is tried).
/// A module no rule handles is an error naming it: nothing falls back silently. A family adds rules for its own modules through
/// <see cref="OnnxExportOptions.Rules"/>.
/// </summary>
public interface IOnnxExportRule
{
    OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context);
}
