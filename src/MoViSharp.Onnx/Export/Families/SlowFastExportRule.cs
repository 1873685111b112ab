using MoViSharp.Families.SlowFast;
using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Profiling;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families;

/// <summary>
/// SlowFast's own modules (clip graphs only; SlowFast and Slow are clip models): <see cref="ResNetBottleneck"/> is its shared
/// Residual then the ReLU after the sum; <see cref="SlowFastPathways"/> gathers the slow frames (the build clip's linspace indices,
/// fixed in the graph), runs each level's slow and fast parts by their rules, concatenates the strided fusion of the fast features
/// to the slow ones, and ends with both pathways' pools concatenated on channels.
/// </summary>
public sealed class SlowFastExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        switch (module)
        {
            case ResNetBottleneck block:
                var sum = context.Export(block.Body, input);
                return sum with { Value = context.Activate(sum.Value, ActivationKind.Relu, OnnxExportContext.Hint(block)) };
            case SlowFastPathways pathways:
                return Pathways(pathways, input, context);
            default:
                return null;
        }
    }

    private static OnnxActivation Pathways(SlowFastPathways pathways, OnnxActivation input, OnnxExportContext context)
    {
        if (!context.IsClip) throw new OnnxExportException(pathways, pathways.NotStreamableReason);
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(pathways);
        long[] indices = pathways.Spec.SlowIndices(input.Shape.Frames);
        var slow = new OnnxActivation(g.Node("Gather", [input.Value, g.Int64s(indices)], $"{hint}.slow_frames", attributes: [OnnxAttributes.Int("axis", 2)]),
            input.Shape with { Frames = indices.Length });
        var fast = input;
        foreach (var (slowPart, fastPart, fusion) in pathways.Levels)
        {
            slow = context.Export(slowPart, slow);
            fast = context.Export(fastPart, fast);
            if (fusion is not null) slow = Concat(g, slow, context.Export(fusion, fast), $"{hint}.fuse");
        }
        var pools = pathways.StreamChildren.ToDictionary(c => c.Name, c => c.Module);
        return Concat(g, context.Export(pools["slow_pool"], slow), context.Export(pools["fast_pool"], fast), hint);
    }

    private static OnnxActivation Concat(OnnxGraph g, OnnxActivation a, OnnxActivation b, string hint) =>
        new(g.Node("Concat", [a.Value, b.Value], hint, attributes: [OnnxAttributes.Int("axis", 1)]),
            a.Shape with { Channels = a.Shape.Channels + b.Shape.Channels });
}
