using static TorchSharp.torch;

namespace MoViSharp.Families.MViT;

/// <summary>
/// Runs a video operation (a pooling convolution, a max pool) on the grid part of tokens [.., N, C]: the first
/// <c>prefix</c> tokens (the class token) pass around it, the grid tokens are viewed as [L, C, T, H, W] (L = the leading
/// dimensions, e.g. batch × heads), pooled, and put back behind the prefix.
/// </summary>
public static class TokenGridPool
{
    public static Tensor Apply(Tensor tokens, TokenGrid grid, int prefix, Func<Tensor, Tensor> pool)
    {
        long n = tokens.shape[^2], channels = tokens.shape[^1];
        if (n != prefix + grid.Count)
            throw new ArgumentException($"Expected {prefix} + {grid} = {prefix + grid.Count} tokens, got {n} (the model was built for another clip size).");
        var lead = tokens.shape[..^2];
        var head = tokens.narrow(-2, 0, prefix);
        var video = tokens.narrow(-2, prefix, grid.Count).transpose(-2, -1).reshape(-1, channels, grid.Time, grid.Height, grid.Width);
        var pooled = pool(video);
        long pooledCount = pooled.shape[2] * pooled.shape[3] * pooled.shape[4];
        var back = pooled.reshape([.. lead, channels, pooledCount]).transpose(-2, -1);
        return cat([head, back], -2);
    }
}
