namespace MoViSharp.Weights.Tflite;

/// <summary>A constant tensor converted to float32, in the file's row-major layout (TFLite weights are OHWI; depthwise 1HWO).</summary>
public sealed record TfliteDequantizedTensor(string Name, int[] Shape, float[] Values);
