using MoViSharp.Layers;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// One <see cref="MobileBottleneck"/> for one frame: folded expansion → folded spatial depthwise → ring-buffer temporal
/// depthwise → fused SE (in place) → folded projection with the ReZero scale folded in → residual added in place.
/// </summary>
public sealed class FusedBottleneck : IDisposable
{
    private readonly FoldedConv2d expansion;
    private readonly FoldedConv2d spatial;
    private readonly RingTemporalConv? temporal;
    private readonly FusedSqueezeExcitation? se;
    private readonly FoldedConv2d projection;
    private readonly FusedSkipProjection? skip;

    public RingTemporalConv? Temporal => temporal;
    public FusedSqueezeExcitation? SqueezeExcitation => se;

    /// <param name="height">Input frame height of this layer (the temporal buffer sits after the stride).</param>
    public FusedBottleneck(MobileBottleneck layer, long batch, long height, long width)
    {
        var o = layer.Options;
        if (!o.Causal) throw new NotSupportedException("The streaming engine needs a causal model.");
        expansion = new FoldedConv2d(layer.Expansion);
        var feature = layer.Feature;
        if (feature.Conv is { } conv)
        {
            if (conv.Kernel.Time > 1)
                throw new NotSupportedException("Causal 3-D (k_t×k×k) depthwise kernels are not supported by the engine; use conv type 2plus1d or 3d_2plus1d.");
            spatial = new FoldedConv2d(conv);
        }
        else
        {
            spatial = new FoldedConv2d(feature.Spatial!);
            long h = SamePadding.OutputSize(height, o.Stride), w = SamePadding.OutputSize(width, o.Stride);
            temporal = new RingTemporalConv(feature.Temporal!, batch, h, w);
        }
        if (layer.SqueezeExcitation is { } s) se = new FusedSqueezeExcitation(s, o.ExpandChannels, batch);
        double rezero = layer.ReZeroScale is { } r ? r.detach().item<float>() : 1.0;
        projection = new FoldedConv2d(layer.Projection, rezero);
        if (layer.Skip is { } sk) skip = new FusedSkipProjection(sk);
    }

    internal Tensor Forward(Tensor x, StepContext context)
    {
        var shortcut = skip is null ? x : skip.Forward(x);
        var y = spatial.Forward(expansion.Forward(x));
        if (temporal is not null) y = temporal.Forward(y);
        if (se is not null) se.Forward(y, context);
        y = projection.Forward(y);
        return y.add_(shortcut);
    }

    public void Dispose()
    {
        expansion.Dispose(); spatial.Dispose(); temporal?.Dispose(); se?.Dispose(); projection.Dispose(); skip?.Dispose();
    }
}
