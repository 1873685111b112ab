namespace MoViSharp.Weights.Tflite;

/// <summary>
/// One operator of a subgraph, in execution order. Input index -1 marks an omitted optional input
/// (for example a convolution without bias).
/// </summary>
public sealed record TfliteOperator(
    int Index,
    int OpcodeIndex,
    int[] Inputs,
    int[] Outputs,
    byte BuiltinOptionsType,
    TfliteOperatorOptions? Options);
