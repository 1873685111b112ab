namespace MoViSharp.Layers;

/// <summary>How a k_t×k×k depthwise convolution is built (TF MoViNet's conv_type).</summary>
public enum ConvType
{
    /// <summary>One 3-D convolution with one BatchNorm (base models).</summary>
    ThreeD,
    /// <summary>Factorised: 1×k×k spatial → BN → act, then k_t×1×1 temporal → BN → act, both as 3-D convolutions (training of stream models).</summary>
    ThreeDTwoPlusOneD,
    /// <summary>The same factorisation executed as 2-D convolutions on reshaped tensors (inference of stream models, as in TFLite).</summary>
    TwoPlusOneD,
}
