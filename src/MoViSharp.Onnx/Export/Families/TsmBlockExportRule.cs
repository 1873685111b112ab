using MoViSharp.Families.TSM;
using MoViSharp.Layers;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families;

/// <summary>
/// TSM's blocks through their shared bodies: <see cref="TsmBottleneck"/> is its Residual (shift, conv units, delayed shortcut)
/// then the ReLU after the sum; <see cref="TsmInvertedResidual"/> is its body alone (a Residual or a Sequential). The shift
/// itself is the shared <see cref="TemporalShift"/>'s rule.
/// </summary>
public sealed class TsmBlockExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        switch (module)
        {
            case TsmBottleneck block:
                var sum = context.Export(block.Body, input);
                return sum with { Value = context.Activate(sum.Value, ActivationKind.Relu, OnnxExportContext.Hint(block)) };
            case TsmInvertedResidual block:
                return context.Export(Body(block), input);
            default:
                return null;
        }
    }

    private static StreamModule Body(TsmInvertedResidual block) =>
        block.StreamChildren.Single(c => c.Name == "body").Module;
}
