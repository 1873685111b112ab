using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="CumulativeAveragePool"/>: in a stream, the running sum of per-frame spatial means and the frame count are state
/// (sum [B, C] float, count [B] int32, as the plain model keeps them) and the output is sum/count; in a clip, a CumSum over
/// time divided by 1…T.
/// </summary>
public sealed class CumulativeAveragePoolExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not CumulativeAveragePool pool) return null;
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(pool);
        long c = input.Shape.Channels;
        var shape = input.Shape with { Height = 1, Width = 1 };
        if (context.IsClip)
        {
            long t = input.Shape.Frames;
            var means = g.Node("ReduceMean", [input.Value], $"{hint}.spatial_mean",
                attributes: [OnnxAttributes.Ints("axes", 3, 4), OnnxAttributes.Int("keepdims", 0)]);          // [B, C, T]
            var sums = g.Node("CumSum", [means, g.Int64Scalar(2)], $"{hint}.cumsum");
            var steps = g.Floats(Enumerable.Range(1, (int)t).Select(i => (float)i).ToArray(), [1, 1, t], $"{hint}.steps");
            var averages = g.Node("Div", [sums, steps], $"{hint}.average");
            return new OnnxActivation(g.Node("Unsqueeze", [averages, g.Int64s(3, 4)], hint), shape);
        }
        var sum = context.State(pool.SumKey, DataType.Float, [c]);
        var count = context.State(pool.CountKey, DataType.Int32, []);
        var mean = g.Node("Flatten", [g.Node("GlobalAveragePool", [input.Value], $"{hint}.spatial_mean")], $"{hint}.mean", attributes: [OnnxAttributes.Int("axis", 1)]);
        var nextSum = g.Node("Add", [sum, mean], $"{hint}.sum");
        var nextCount = g.Node("Add", [count, g.Constant(OnnxConstant.Int32([1], []), "const_one_i32")], $"{hint}.count");
        context.SetState(pool.SumKey, nextSum);
        context.SetState(pool.CountKey, nextCount);
        var divisor = g.Node("Unsqueeze", [g.Node("Cast", [nextCount], $"{hint}.count_f", type: DataType.Float,
            attributes: [OnnxAttributes.Int("to", (long)DataType.Float)]), g.Int64s(1)], $"{hint}.divisor");
        var average = g.Node("Div", [nextSum, divisor], $"{hint}.average");
        return new OnnxActivation(g.Node("Reshape", [average, g.Int64s(0, c, 1, 1)], hint), shape);
    }
}
