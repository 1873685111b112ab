using MoViSharp.Layers;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// One <see cref="MobileBottleneck"/> for one frame: folded expansion → folded spatial depthwise → ring-buffer temporal
/// depthwise (or both as one SIMD kernel) → fused SE (in place) → folded projection with the ReZero scale folded in → residual added in place.
/// </summary>
public sealed class FusedBottleneck : IDisposable
{
    private readonly FoldedConv2d expansion;
    private FoldedConv2d? spatial;
    private readonly RingTemporalConv? temporal;
    private SimdDepthwise? simd;
    private readonly FusedSqueezeExcitation? se;
    private readonly FoldedConv2d projection;
    private readonly FusedSkipProjection? skip;

    public RingTemporalConv? Temporal => temporal;
    public FusedSqueezeExcitation? SqueezeExcitation => se;

    /// <param name="height">Input frame height of this layer (the temporal buffer sits after the stride).</param>
    public FusedBottleneck(MobileBottleneck layer, long batch, long height, long width, StreamingEngineOptions options)
    {
        var o = layer.Options;
        if (!o.Causal) throw new NotSupportedException("The streaming engine needs a causal model.");
        expansion = new FoldedConv2d(layer.Expansion);
        var feature = layer.Feature;
        if (feature.Conv is { } conv)
        {
            if (conv.Kernel.Time > 1)
                throw new NotSupportedException("Causal 3-D (k_t×k×k) depthwise kernels are not supported by the engine; use conv type 2plus1d or 3d_2plus1d.");
            if (options.Depthwise != DepthwiseExecution.Torch) simd = new SimdDepthwise(conv, null);
            if (options.Depthwise != DepthwiseExecution.Simd) spatial = new FoldedConv2d(conv);
        }
        else
        {
            long h = SamePadding.OutputSize(height, o.Stride), w = SamePadding.OutputSize(width, o.Stride);
            temporal = new RingTemporalConv(feature.Temporal!, batch, h, w);
            if (options.Depthwise != DepthwiseExecution.Torch) simd = new SimdDepthwise(feature.Spatial!, temporal);
            if (options.Depthwise != DepthwiseExecution.Simd) spatial = new FoldedConv2d(feature.Spatial!);
        }
        if (simd is not null && spatial is not null) ChooseFaster(batch, o.ExpandChannels, height, width);
        if (layer.SqueezeExcitation is { } s) se = new FusedSqueezeExcitation(s, o.ExpandChannels, batch);
        double rezero = layer.ReZeroScale is { } r ? r.detach().item<float>() : 1.0;
        projection = new FoldedConv2d(layer.Projection, rezero);
        if (layer.Skip is { } sk) skip = new FusedSkipProjection(sk);
    }

    /// <summary>True when this layer's depthwise feature runs the hand-written kernel.</summary>
    public bool UsesSimdKernel => simd is not null;

    /// <summary>Times both depthwise implementations on this layer's input shape and keeps the faster (state is cleared after).</summary>
    private void ChooseFaster(long batch, int channels, long height, long width)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var input = rand([batch, channels, height, width]);
        Tensor TorchPath() { var y = spatial!.Forward(input); return temporal is null ? y : temporal.Forward(y); }
        double simdBest = double.MaxValue, torchBest = double.MaxValue;
        for (int i = 0; i < 8; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            simd!.Forward(input).Dispose();
            simdBest = Math.Min(simdBest, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            start = System.Diagnostics.Stopwatch.GetTimestamp();
            TorchPath().Dispose();
            torchBest = Math.Min(torchBest, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        temporal?.Clear();
        if (simdBest < torchBest) { spatial!.Dispose(); spatial = null; }
        else simd = null;
    }

    internal Tensor Forward(Tensor x, StepContext context)
    {
        var shortcut = skip is null ? x : skip.Forward(x);
        var y = expansion.Forward(x);
        if (simd is not null) y = simd.Forward(y);                      // spatial and temporal in one kernel
        else
        {
            y = spatial!.Forward(y);
            if (temporal is not null) y = temporal.Forward(y);
        }
        if (se is not null) se.Forward(y, context);
        y = projection.Forward(y);
        return y.add_(shortcut);
    }

    public void Dispose()
    {
        expansion.Dispose(); spatial?.Dispose(); temporal?.Dispose(); se?.Dispose(); projection.Dispose(); skip?.Dispose();
    }
}
