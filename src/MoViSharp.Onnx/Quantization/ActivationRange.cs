namespace MoViSharp.Onnx.Quantization;

/// <summary>The smallest and largest value a tensor took on the calibration frames.</summary>
public readonly record struct ActivationRange(float Min, float Max)
{
    public ActivationRange Union(ActivationRange other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));

    /// <summary>uint8 asymmetric parameters covering the range and zero (zero must be exact: padding and ReLU produce it).</summary>
    public (float Scale, byte ZeroPoint) Uint8()
    {
        float min = Math.Min(0f, Min), max = Math.Max(0f, Max);
        if (max - min < 1e-12f) return (1f, 0);
        float scale = (max - min) / 255f;
        int zero = (int)Math.Round(-min / scale, MidpointRounding.ToEven);
        return (scale, (byte)Math.Clamp(zero, 0, 255));
    }
}
