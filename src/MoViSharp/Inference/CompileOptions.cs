using System.Runtime.Intrinsics;

namespace MoViSharp.Inference;

/// <summary>How <see cref="ModelCompiler"/> compiles; every choice gives the same logits (to float rounding).</summary>
public sealed record CompileOptions
{
    /// <summary>How depthwise features (spatial k×k, optionally fused with the temporal ring taps) run.</summary>
    public DepthwiseExecution Depthwise { get; init; } = Vector256.IsHardwareAccelerated ? DepthwiseExecution.Measured : DepthwiseExecution.Torch;

    /// <summary>Rules tried before the built-in ones (a family's own fusions).</summary>
    public IReadOnlyList<ICompileRule> Rules { get; init; } = [];

    /// <summary>Streams per step when timing alternatives (<see cref="DepthwiseExecution.Measured"/>).</summary>
    public int MeasureBatch { get; init; } = 1;

    public static CompileOptions Default { get; } = new();
    /// <summary>libtorch ops only (folded BN, ring buffers as addcmul chains): the reference the kernels are checked against.</summary>
    public static CompileOptions TorchOnly { get; } = new() { Depthwise = DepthwiseExecution.Torch };
    /// <summary>The hand-written kernel for every depthwise feature it can run.</summary>
    public static CompileOptions SimdOnly { get; } = new() { Depthwise = DepthwiseExecution.Simd };
}

/// <summary>Which implementation runs a depthwise feature.</summary>
public enum DepthwiseExecution
{
    /// <summary>libtorch: folded depthwise conv2d + in-place activation, then the ring's addcmul chain.</summary>
    Torch,
    /// <summary>The hand-written AVX kernel <see cref="SimdDepthwise"/> (spatial and temporal in one pass).</summary>
    Simd,
    /// <summary>Per layer, whichever of the two was faster when the model was compiled (timed on the layer's own shapes):
    /// the kernel wins on large planes, libtorch's blocked-layout conv on small ones, and the balance differs per machine.</summary>
    Measured,
}
