namespace MoViSharp.Weights.Tflite;

/// <summary>TFLite <c>ActivationFunctionType</c>: the activation fused into an op's output.</summary>
public enum TfliteActivation : sbyte
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}
