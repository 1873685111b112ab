using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="IInputCheck"/> (C3D's clip size check, S3D's head pool window): the check runs here, on the shape being exported
/// (a clip it rejects is an export error), and the graph gets no node.
/// </summary>
public sealed class InputCheckExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not IInputCheck) return null;
        try
        {
            context.OutputShape(module, input.Shape);
        }
        catch (ArgumentException e)
        {
            throw new OnnxExportException(module, e.Message);
        }
        return input;
    }
}
