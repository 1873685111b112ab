namespace MoViSharp.Weights.Tflite;

/// <summary>A named entry point (e.g. <c>serving_default</c>) mapping user-facing names to tensor indices of one subgraph.</summary>
public sealed record TfliteSignatureDef(
    string Key,
    int SubGraphIndex,
    IReadOnlyList<TfliteTensorMap> Inputs,
    IReadOnlyList<TfliteTensorMap> Outputs);

/// <summary>Signature name → tensor index in the signature's subgraph.</summary>
public sealed record TfliteTensorMap(string Name, int TensorIndex);
