namespace MoViSharp.Weights.Tflite;

/// <summary>
/// One tensor of a subgraph. <paramref name="Buffer"/> indexes the model's buffers; buffer 0 is the schema's
/// empty sentinel, so activations and inputs have no constant data.
/// <paramref name="ShapeSignature"/> is empty when the file stores none (then it equals <paramref name="Shape"/>).
/// </summary>
public sealed record TfliteTensor(
    int Index,
    string Name,
    int[] Shape,
    int[] ShapeSignature,
    TfliteTensorType Type,
    int Buffer,
    TfliteQuantization? Quantization,
    bool IsVariable)
{
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    public string ShapeText => $"[{string.Join(",", Shape)}]";
}
