using MoViSharp.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>
/// TF "same" padding for a 2-D window on frames [B, C, H, W]: symmetric padding is left to the conv/pool (no copy); only the
/// asymmetric case (stride 2 on an even size) pays for an explicit pad.
/// </summary>
internal static class TfSamePadding2d
{
    public static (Tensor Input, long PadH, long PadW) Prepare(Tensor x, int kernel, int stride)
    {
        if (kernel == 1 && stride == 1) return (x, 0, 0);
        var (top, bottom) = SamePadding.For(x.shape[2], kernel, stride);
        var (left, right) = SamePadding.For(x.shape[3], kernel, stride);
        if (top == bottom && left == right) return (x, top, left);
        return (F.pad(x, [left, right, top, bottom]), 0, 0);
    }
}
