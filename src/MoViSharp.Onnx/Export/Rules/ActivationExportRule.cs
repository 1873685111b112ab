using MoViSharp.Layers;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>A stand-alone <see cref="Activation"/> layer (X3D's swish after its SE): the same nodes a conv unit's activation gets.</summary>
public sealed class ActivationExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context) =>
        module is Activation activation
            ? input with { Value = context.Activate(input.Value, activation.Kind, OnnxExportContext.Hint(activation)) }
            : null;
}
