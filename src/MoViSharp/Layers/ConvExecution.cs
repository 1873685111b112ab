namespace MoViSharp.Layers;

/// <summary>How a convolution with a (k_t, k, k) kernel is executed; the numbers are the same either way.</summary>
public enum ConvExecution
{
    /// <summary>One 3-D convolution on [B, C, T, H, W].</summary>
    Conv3d,
    /// <summary>2-D convolutions on reshaped tensors, as TFLite runs the (2+1)D stream models: spatial kernels on
    /// [B·T, C, H, W] frames (free for T = 1) and temporal (k_t, 1) kernels on [B, C, T, H·W].</summary>
    Conv2dOnFrames,
}
