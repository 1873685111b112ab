using static TorchSharp.torch;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// bLVNet's frame bookkeeping on [B, C, T, H, W]: the big branch takes the odd frames (1, 3, …), the little branch the even ones
/// (0, 2, …); big frame j is merged with little frame j, and the merged frame is written back to both slots 2j and 2j+1.
/// </summary>
public static class BigLittleFrames
{
    public static Tensor Big(Tensor x) => x.slice(2, 1, x.shape[2], 2);

    public static Tensor Little(Tensor x) => x.slice(2, 0, x.shape[2], 2);

    /// <summary>[B, C, T/2, H, W] → [B, C, T, H, W] with every frame twice, in place of the pair it came from.</summary>
    public static Tensor ToBothSlots(Tensor merged) => merged.repeat_interleave(2, dim: 2);

    public static void CheckEven(Tensor x, string where)
    {
        if (x.shape[2] % 2 != 0)
            throw new ArgumentException($"{where}: bLVNet pairs each odd (big) frame with the even (little) frame before it, so it needs an even number of frames, got {x.shape[2]}.");
    }
}
