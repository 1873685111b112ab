using MoViSharp.Weights.Tflite;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// Producer/consumer links of one TFLite subgraph, for importers that follow the graph instead of trusting tensor order.
/// RESHAPE, QUANTIZE and DEQUANTIZE only change layout or precision, so <see cref="Source"/> and <see cref="Users"/> look
/// through them to the ops that compute something.
/// </summary>
internal sealed class TfliteDataflow
{
    private readonly Dictionary<int, TfliteOperator> producers = [];
    private readonly Dictionary<int, List<TfliteOperator>> consumers = [];

    public TfliteDataflow(TfliteModel model, int subGraph = 0)
    {
        Model = model;
        Graph = model.SubGraphs[subGraph];
        foreach (var op in Graph.Operators)
        {
            foreach (int t in op.Outputs) producers[t] = op;
            foreach (int t in op.Inputs.Where(t => t >= 0))
            {
                if (!consumers.TryGetValue(t, out var list)) consumers[t] = list = [];
                list.Add(op);
            }
        }
    }

    public TfliteModel Model { get; }

    public TfliteSubGraph Graph { get; }

    public TfliteTensor Tensor(int index) => Graph.Tensors[index];

    public TfliteBuiltinOperator Kind(TfliteOperator op) => Model.OperatorCodeOf(op).Builtin;

    /// <summary>True when the tensor holds constant data (a weight, bias, scale, shape or axis).</summary>
    public bool IsConstant(int tensor) => tensor >= 0 && !Model.GetTensorData(Tensor(tensor)).IsEmpty;

    private bool IsPassThrough(TfliteOperator op) =>
        Kind(op) is TfliteBuiltinOperator.RESHAPE or TfliteBuiltinOperator.QUANTIZE or TfliteBuiltinOperator.DEQUANTIZE;

    /// <summary>The op that computes <paramref name="tensor"/>, looking through pass-through ops; null for graph inputs and constants.</summary>
    public TfliteOperator? Source(int tensor)
    {
        while (producers.TryGetValue(tensor, out var op))
        {
            if (!IsPassThrough(op)) return op;
            tensor = op.Inputs[0];
        }
        return null;
    }

    /// <summary>The ops that read the first output of <paramref name="op"/>, looking through pass-through ops.</summary>
    public IReadOnlyList<TfliteOperator> Users(TfliteOperator op)
    {
        var found = new List<TfliteOperator>();
        var pending = new Stack<int>([op.Outputs[0]]);
        while (pending.Count > 0)
        {
            if (!consumers.TryGetValue(pending.Pop(), out var readers)) continue;
            foreach (var reader in readers)
            {
                if (IsPassThrough(reader)) pending.Push(reader.Outputs[0]);
                else if (!found.Contains(reader)) found.Add(reader);
            }
        }
        return found;
    }

    /// <summary>"op 12 CONV_2D" for error messages.</summary>
    public string Describe(TfliteOperator op) => $"op {op.Index} {Model.OperatorCodeOf(op).Name}";
}
