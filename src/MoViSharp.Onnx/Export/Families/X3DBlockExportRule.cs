using MoViSharp.Families.X3D;
using MoViSharp.Layers;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families;

/// <summary>
/// X3D's <see cref="X3DBlock"/> (also inside CoX3D): its shared <see cref="X3DBlock.Body"/> (a Residual of conv units and the SE)
/// and the ReLU after the sum, the one part that is the block's own.
/// </summary>
public sealed class X3DBlockExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not X3DBlock block) return null;
        var sum = context.Export(block.Body, input);
        return sum with { Value = context.Activate(sum.Value, ActivationKind.Relu, OnnxExportContext.Hint(block)) };
    }
}
