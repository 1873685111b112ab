using MoViSharp.Families.VideoResNets;
using MoViSharp.Layers;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families;

/// <summary>
/// The video ResNets' <see cref="BasicBlock"/>: its shared <see cref="BasicBlock.Body"/> (a Residual of conv units, (2+1)D convs
/// being Sequentials of them) and the ReLU after the sum, the one part that is the block's own.
/// </summary>
public sealed class BasicBlockExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not BasicBlock block) return null;
        var sum = context.Export(block.Body, input);
        return sum with { Value = context.Activate(sum.Value, ActivationKind.Relu, OnnxExportContext.Hint(block)) };
    }
}
