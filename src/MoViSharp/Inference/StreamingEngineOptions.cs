using System.Runtime.Intrinsics;

namespace MoViSharp.Inference;

/// <summary>How a <see cref="StreamingEngine"/> executes; every choice gives the same logits (to float rounding).</summary>
public sealed record StreamingEngineOptions
{
    /// <summary>How each depthwise feature (spatial k×k + temporal ring taps + activations) runs.</summary>
    public DepthwiseExecution Depthwise { get; init; } = Vector256.IsHardwareAccelerated ? DepthwiseExecution.Measured : DepthwiseExecution.Torch;

    public static StreamingEngineOptions Default { get; } = new();
    /// <summary>libtorch ops only (folded BN, ring buffers as addcmul chains): the reference the kernels are checked against.</summary>
    public static StreamingEngineOptions TorchOnly { get; } = new() { Depthwise = DepthwiseExecution.Torch };
    /// <summary>The hand-written kernel for every depthwise feature.</summary>
    public static StreamingEngineOptions SimdOnly { get; } = new() { Depthwise = DepthwiseExecution.Simd };
}

/// <summary>Which implementation runs a bottleneck's depthwise feature.</summary>
public enum DepthwiseExecution
{
    /// <summary>libtorch: folded depthwise conv2d + in-place activation, then the ring's addcmul chain.</summary>
    Torch,
    /// <summary>The hand-written AVX kernel <see cref="Inference.SimdDepthwise"/> (spatial and temporal in one pass).</summary>
    Simd,
    /// <summary>Per layer, whichever of the two was faster when the engine was created (timed on the layer's own shapes):
    /// the kernel wins on large planes, libtorch's blocked-layout conv on small ones, and the balance differs per machine.</summary>
    Measured,
}
