using MoViSharp.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>
/// The projection shortcut on frames: TF-same 3×3 average pool when strided (one avg_pool2d that excludes padding from the
/// divisor when the padding is symmetric, else pad + sum + divide by the real-cell counts) → 1×1 conv with BatchNorm folded.
/// </summary>
public sealed class FusedSkipProjection : IDisposable
{
    private readonly FoldedConv2d projection;
    private readonly int stride;

    public FusedSkipProjection(SkipProjection skip)
    {
        projection = new FoldedConv2d(skip.Projection);
        stride = skip.SpatialStride;
    }

    public Tensor Forward(Tensor x)
    {
        if (stride == 1) return projection.Forward(x);
        var (top, bottom) = SamePadding.For(x.shape[2], 3, stride);
        var (left, right) = SamePadding.For(x.shape[3], 3, stride);
        Tensor pooled;
        if (top == bottom && left == right)
            pooled = F.avg_pool2d(x, [3, 3], [stride, stride], [top, left], count_include_pad: false);
        else if (top == 0 && left == 0)
            // TF pads only after: windows start at 0, s, 2s…; ceil mode adds the last, partial window, and without counted
            // padding its divisor is the number of real cells, exactly as TF's AvgPool. One op, no padded copy.
            pooled = F.avg_pool2d(x, [3, 3], [stride, stride], [0, 0], ceil_mode: true, count_include_pad: false);
        else
            pooled = TfSameAveragePool.Forward(x.unsqueeze(2), 3, stride).squeeze(2);
        return projection.Forward(pooled);
    }

    public void Dispose() => projection.Dispose();
}
