using MoViSharp.Weights.Tflite;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// Producer/consumer links of one TFLite subgraph, for importers that follow the graph instead of trusting tensor order.
/// RESHAPE, QUANTIZE and DEQUANTIZE only change layout or precision, so <see cref="Source"/> and <see cref="Users"/> look
/// through them to the ops that compute something.
/// <para>The file decides the graph, so every access is checked: an operand that is missing or omitted, a tensor written by
/// two ops, or a cycle through pass-through ops is a <see cref="CheckpointFormatException"/>, and every walk is charged against a
/// visit budget proportional to the graph's size, so no graph can make an import run long.</para>
/// </summary>
internal sealed class TfliteDataflow
{
    private readonly Dictionary<int, TfliteOperator> producers = [];
    private readonly Dictionary<int, List<TfliteOperator>> consumers = [];
    private long visitBudget;

    public TfliteDataflow(TfliteModel model, int subGraph = 0)
    {
        Model = model;
        Graph = model.SubGraphs[subGraph];
        visitBudget = 256L * (Graph.Operators.Count + Graph.Tensors.Count) + 65536;
        foreach (var op in Graph.Operators)
        {
            foreach (int t in op.Outputs)
                if (!producers.TryAdd(t, op))
                    throw Error($"tensor {t} is written by both {Describe(producers[t])} and {Describe(op)}; a tensor has one producer");
            foreach (int t in op.Inputs.Where(t => t >= 0))
            {
                if (!consumers.TryGetValue(t, out var list)) consumers[t] = list = [];
                list.Add(op);
            }
        }
    }

    public TfliteModel Model { get; }

    public TfliteSubGraph Graph { get; }

    public CheckpointFormatException Error(string problem) => new(Model.SourceName, "graph", problem);

    /// <summary>The tensor at <paramref name="index"/> (the parser has checked indices; −1, an omitted operand, is refused here).</summary>
    public TfliteTensor Tensor(int index) =>
        index >= 0 && index < Graph.Tensors.Count ? Graph.Tensors[index] : throw Error($"tensor index {index} names no tensor of the subgraph's {Graph.Tensors.Count}");

    /// <summary>Input <paramref name="slot"/> of <paramref name="op"/>; it must be present (not omitted).</summary>
    public int Input(TfliteOperator op, int slot, string role)
    {
        if (slot >= op.Inputs.Length || op.Inputs[slot] < 0)
            throw Error($"{Describe(op)} has no input {slot} ({role}); it has {op.Inputs.Length} inputs [{string.Join(",", op.Inputs)}]");
        return op.Inputs[slot];
    }

    /// <summary>Output <paramref name="slot"/> of <paramref name="op"/>.</summary>
    public int Output(TfliteOperator op, int slot = 0) =>
        slot < op.Outputs.Length ? op.Outputs[slot] : throw Error($"{Describe(op)} has no output {slot}; it has {op.Outputs.Length}");

    public TfliteBuiltinOperator Kind(TfliteOperator op) => Model.OperatorCodeOf(op).Builtin;

    /// <summary>True when the tensor holds constant data (a weight, bias, scale, shape or axis).</summary>
    public bool IsConstant(int tensor) => tensor >= 0 && tensor < Graph.Tensors.Count && !Model.GetTensorData(Graph.Tensors[tensor]).IsEmpty;

    private bool IsPassThrough(TfliteOperator op) =>
        Kind(op) is TfliteBuiltinOperator.RESHAPE or TfliteBuiltinOperator.QUANTIZE or TfliteBuiltinOperator.DEQUANTIZE;

    /// <summary>The op that computes <paramref name="tensor"/>, looking through pass-through ops; null for graph inputs and constants.</summary>
    public TfliteOperator? Source(int tensor)
    {
        var seen = new HashSet<int>();
        while (producers.TryGetValue(tensor, out var op))
        {
            Visit();
            if (!seen.Add(tensor))
                throw Error($"the graph has a cycle through pass-through ops at tensor {tensor} ({Describe(op)})");
            if (!IsPassThrough(op)) return op;
            tensor = Input(op, 0, "the tensor it passes through");
        }
        return null;
    }

    /// <summary>The ops that read the first output of <paramref name="op"/>, looking through pass-through ops.</summary>
    public IReadOnlyList<TfliteOperator> Users(TfliteOperator op)
    {
        var found = new List<TfliteOperator>();
        var seen = new HashSet<int>();
        var pending = new Stack<int>([Output(op)]);
        while (pending.Count > 0)
        {
            int tensor = pending.Pop();
            if (!seen.Add(tensor) || !consumers.TryGetValue(tensor, out var readers)) continue; // a cycle is walked once
            foreach (var reader in readers)
            {
                Visit();
                if (IsPassThrough(reader)) pending.Push(Output(reader));
                else if (!found.Contains(reader)) found.Add(reader);
            }
        }
        return found;
    }

    /// <summary>The one user of <paramref name="op"/> that <paramref name="matches"/>, null when there is none; two are a format error.</summary>
    public TfliteOperator? SingleUser(TfliteOperator op, Func<TfliteOperator, bool> matches, string what)
    {
        var users = Users(op).Where(matches).ToList();
        if (users.Count > 1)
            throw Error($"{Describe(op)} feeds {users.Count} ops where one {what} is expected ({string.Join(", ", users.Select(Describe))})");
        return users.Count == 1 ? users[0] : null;
    }

    /// <summary>The one constant input of <paramref name="op"/> (a scale); none or several are a format error.</summary>
    public int SingleConstantInput(TfliteOperator op, string what)
    {
        var constants = op.Inputs.Where(IsConstant).ToList();
        if (constants.Count != 1)
            throw Error($"{Describe(op)} ({what}) has {constants.Count} constant inputs; expected one");
        return constants[0];
    }

    /// <summary>"op 12 CONV_2D" for error messages.</summary>
    public string Describe(TfliteOperator op) => $"op {op.Index} {Model.OperatorCodeOf(op).Name}";

    private void Visit()
    {
        if (--visitBudget < 0)
            throw Error("following the graph takes far more steps than its size allows (a cycle or a pathological graph)");
    }
}
