namespace MoViSharp.Weights.Tflite;

/// <summary>One subgraph: its tensors, graph inputs/outputs (tensor indices) and operators in execution order.</summary>
public sealed record TfliteSubGraph(
    string? Name,
    IReadOnlyList<TfliteTensor> Tensors,
    int[] Inputs,
    int[] Outputs,
    IReadOnlyList<TfliteOperator> Operators);
