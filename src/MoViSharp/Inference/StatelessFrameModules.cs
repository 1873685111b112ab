using MoViSharp.Layers;
using MoViSharp.Profiling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>Passes frames through unchanged (dropout and identity at inference).</summary>
public sealed class CompiledIdentity(VideoShape input) : CompiledModule(input, input)
{
    public override Tensor Step(Tensor x, CompiledState state) => x;
}

/// <summary>The spatial mean of each frame, [B, C, H, W] → [B, C, 1, 1].</summary>
public sealed class CompiledSpatialMean(VideoShape input) : CompiledModule(input, input with { Height = 1, Width = 1 })
{
    public override Tensor Step(Tensor x, CompiledState state) => x.mean([2, 3], keepdim: true);
}

/// <summary>
/// <see cref="TfSameAveragePool"/> on frames: one avg_pool2d that excludes padding from the divisor when the padding is
/// symmetric or only after (ceil mode), else pad + sum + divide by the real-cell counts.
/// </summary>
public sealed class CompiledTfSameAveragePool(TfSameAveragePool pool, VideoShape input) : CompiledModule(input, CompileContext.OutputShape(pool, input))
{
    public override Tensor Step(Tensor x, CompiledState state)
    {
        int k = pool.Kernel, s = pool.Stride;
        var (top, bottom) = SamePadding.For(x.shape[2], k, s);
        var (left, right) = SamePadding.For(x.shape[3], k, s);
        if (top == bottom && left == right)
            return F.avg_pool2d(x, [k, k], [s, s], [top, left], count_include_pad: false);
        if (top == 0 && left == 0)
            // TF pads only after: windows start at 0, s, 2s…; ceil mode adds the last, partial window, and without counted
            // padding its divisor is the number of real cells, exactly as TF's AvgPool. One op, no padded copy.
            return F.avg_pool2d(x, [k, k], [s, s], [0, 0], ceil_mode: true, count_include_pad: false);
        return TfSameAveragePool.Apply(x.unsqueeze(2), k, s).squeeze(2);
    }
}
