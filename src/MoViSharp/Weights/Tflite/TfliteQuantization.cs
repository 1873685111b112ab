namespace MoViSharp.Weights.Tflite;

/// <summary>
/// Affine quantization of a tensor: real = scale * (q - zero_point). One scale means per-tensor; more scales are
/// per-channel along <paramref name="QuantizedDimension"/>.
/// </summary>
public sealed record TfliteQuantization(float[] Min, float[] Max, float[] Scale, long[] ZeroPoint, int QuantizedDimension)
{
    public bool HasScale => Scale.Length > 0;

    public bool IsPerChannel => Scale.Length > 1;
}
