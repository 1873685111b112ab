using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="Residual"/>: shortcut (identity or its module) + scale · branch, with the delay-aligning <see cref="Delay"/>s the
/// container inserted; the ReZero scale is folded into the branch's last Conv when nothing follows it, else one Mul.
/// </summary>
public sealed class ResidualExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not Residual residual) return null;
        var shortcut = residual.Shortcut is { } s ? context.Export(s, input) : input;
        var branch = context.ExportSequence(residual.Items.Select(i => i.Module), input);
        foreach (var (name, child) in residual.named_children())
        {
            if (child is not Delay delay) continue;
            if (name == "shortcut_delay") shortcut = context.Export(delay, shortcut);
            else if (name == "branch_delay") branch = context.Export(delay, branch);
        }
        var y = branch.Value;
        if (residual.Scale is { } scale)
        {
            float factor = scale.detach().item<float>();
            if (!TryScaleConv(context.Graph, y, factor))
                y = context.Graph.Node("Mul", [y, context.Graph.Scalar(factor, $"{OnnxExportContext.Hint(residual, "scale")}")], OnnxExportContext.Hint(residual, "scaled"));
        }
        var sum = OnnxGraph.Quantizable(context.Graph.Node("Add", [shortcut.Value, y], OnnxExportContext.Hint(residual, "sum")));
        return new OnnxActivation(sum, branch.Shape);
    }

    /// <summary>Multiplies the weight and bias of the Conv computing <paramref name="value"/> by <paramref name="factor"/>, if it is one whose constants nothing else reads.</summary>
    internal static bool TryScaleConv(OnnxGraph graph, OnnxValue value, float factor)
    {
        if (value.Producer is not { OpType: "Conv" } conv || conv.Inputs.Count < 3) return false;
        if (conv.Inputs[1]?.Constant?.Floats is not { } weight || conv.Inputs[2]?.Constant?.Floats is not { } bias) return false;
        if (graph.Consumers(conv.Inputs[1]!).Count() != 1 || graph.Consumers(conv.Inputs[2]!).Count() != 1) return false;
        for (int i = 0; i < weight.Length; i++) weight[i] *= factor;
        for (int i = 0; i < bias.Length; i++) bias[i] *= factor;
        return true;
    }
}
