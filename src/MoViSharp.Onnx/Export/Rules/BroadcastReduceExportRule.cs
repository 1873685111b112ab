using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary><see cref="BroadcastReduce"/>: every branch on the same input (delays aligned), then Add, Mul (broadcasting) or Concat on channels.</summary>
public sealed class BroadcastReduceExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not BroadcastReduce reduce) return null;
        var children = reduce.named_children().ToDictionary(c => c.name, c => c.module);
        var outputs = new List<OnnxActivation>();
        foreach (var (name, branch) in reduce.Branches)
        {
            var y = branch is null ? input : context.Export(branch, input);
            if (children.TryGetValue($"{name}_delay", out var align) && align is Delay delay) y = context.Export(delay, y);
            outputs.Add(y);
        }
        string hint = OnnxExportContext.Hint(reduce);
        var g = context.Graph;
        var shape = context.OutputShape(reduce, input.Shape);
        var value = reduce.Reduction switch
        {
            Reduction.Concatenate => g.Node("Concat", outputs.Select(o => o.Value), $"{hint}.concat", attributes: [Graph.OnnxAttributes.Int("axis", 1)]),
            Reduction.Sum => outputs.Skip(1).Aggregate(outputs[0].Value, (a, b) => g.Node("Add", [a, b.Value], $"{hint}.sum")),
            Reduction.Multiply => outputs.Skip(1).Aggregate(outputs[0].Value, (a, b) => g.Node("Mul", [a, b.Value], $"{hint}.product")),
            _ => throw new OnnxExportException(reduce, $"unknown reduction {reduce.Reduction}"),
        };
        return new OnnxActivation(value, shape);
    }
}
