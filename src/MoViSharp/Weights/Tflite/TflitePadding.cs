namespace MoViSharp.Weights.Tflite;

/// <summary>TFLite <c>Padding</c> of convolutions and pools (TensorFlow semantics: SAME pads so out = ceil(in / stride)).</summary>
public enum TflitePadding : sbyte
{
    Same = 0,
    Valid = 1,
}
