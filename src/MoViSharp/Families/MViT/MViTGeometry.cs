namespace MoViSharp.Families.MViT;

/// <summary>Where one block's tokens live: its input grid, the grids of its pooled queries and keys/values, and the lengths of its
/// relative-position tables (v2).</summary>
public sealed record BlockGeometry(TokenGrid Input, TokenGrid Queries, TokenGrid KeysValues, int RelativeSpatialLength, int RelativeTemporalLength);

/// <summary>
/// The token grids of an <see cref="MViTConfig"/>, known when it is built (the positions fix the clip size): the patch grid from the
/// patch convolution, then each block's pooled grids with the convolution arithmetic. Table sizes follow torchvision's nominal sizes
/// (clip size // strides), which equal the real grids for the published clips.
/// </summary>
public static class MViTGeometry
{
    public static TokenGrid PatchGrid(MViTConfig c) =>
        new TokenGrid(c.TemporalSize, c.SpatialSize.Height, c.SpatialSize.Width).After(c.PatchKernel, c.PatchStride, c.PatchPadding);

    /// <summary>The grid torchvision sizes absolute positions for: clip size // patch stride.</summary>
    public static TokenGrid NominalPatchGrid(MViTConfig c) =>
        new(c.TemporalSize / c.PatchStride.Time, c.SpatialSize.Height / c.PatchStride.Height, c.SpatialSize.Width / c.PatchStride.Width);

    public static (int Time, int Height, int Width) HalfKernel((int Time, int Height, int Width) k) => (k.Time / 2, k.Height / 2, k.Width / 2);

    /// <summary>Every block's geometry, in order (checks the configuration first).</summary>
    public static IReadOnlyList<BlockGeometry> Blocks(MViTConfig c)
    {
        Validate(c);
        var result = new List<BlockGeometry>();
        var grid = PatchGrid(c);
        var nominal = NominalPatchGrid(c);
        foreach (var b in c.Blocks)
        {
            var kq = MViTBlockSpec.Triple(b.KernelQ);
            var kkv = MViTBlockSpec.Triple(b.KernelKv);
            var queries = b.PoolsQueries ? grid.After(kq, MViTBlockSpec.Triple(b.StrideQ), HalfKernel(kq)) : grid;
            var keys = b.PoolsKeysValues ? grid.After(kkv, MViTBlockSpec.Triple(b.StrideKv), HalfKernel(kkv)) : grid;
            int size = Math.Max(nominal.Height, nominal.Width);
            int querySize = b.StrideQ.Count > 0 ? size / b.StrideQ[1] : size;
            int keySize = b.StrideKv.Count > 0 ? size / b.StrideKv[1] : size;
            result.Add(new BlockGeometry(grid, queries, keys, 2 * Math.Max(querySize, keySize) - 1, 2 * nominal.Time - 1));
            grid = queries;
            if (b.StrideQ.Count > 0) nominal = new TokenGrid(nominal.Time / b.StrideQ[0], nominal.Height / b.StrideQ[1], nominal.Width / b.StrideQ[2]);
        }
        return result;
    }

    /// <summary>Throws when the configuration cannot be built: empty, mismatched channels, malformed kernels or strides.</summary>
    public static void Validate(MViTConfig c)
    {
        if (c.Blocks.Count == 0) throw new ArgumentException($"MViT '{c.Name}' has no blocks.");
        if (c.PatchStride.Height != c.PatchStride.Width) throw new ArgumentException($"MViT '{c.Name}': the patch stride must be equal in height and width.");
        for (int i = 0; i < c.Blocks.Count; i++)
        {
            var b = c.Blocks[i];
            string where = $"MViT '{c.Name}' block {i}";
            if (i > 0 && b.InChannels != c.Blocks[i - 1].OutChannels)
                throw new ArgumentException($"{where} takes {b.InChannels} channels but block {i - 1} gives {c.Blocks[i - 1].OutChannels}.");
            int width = c.ProjectAfterAttention ? b.OutChannels : b.InChannels;
            if (b.Heads < 1 || width % b.Heads != 0) throw new ArgumentException($"{where}: {width} attention channels do not split into {b.Heads} heads.");
            foreach (var (name, list) in new[] { ("kernel_q", b.KernelQ), ("kernel_kv", b.KernelKv), ("stride_q", b.StrideQ), ("stride_kv", b.StrideKv) })
                if (list.Count is not (0 or 3) || list.Any(v => v < 1))
                    throw new ArgumentException($"{where}: {name} must be empty or three positive numbers (t, h, w).");
            foreach (var (name, list) in new[] { ("stride_q", b.StrideQ), ("stride_kv", b.StrideKv) })
                if (list.Count == 3 && list[1] != list[2]) throw new ArgumentException($"{where}: {name} must be equal in height and width.");
            if (b.PoolsQueries && b.KernelQ.Count == 0 || b.PoolsKeysValues && b.KernelKv.Count == 0)
                throw new ArgumentException($"{where}: a pooling stride needs a kernel.");
        }
        if (c.Blocks[0].InChannels < 1) throw new ArgumentException($"MViT '{c.Name}' needs positive channels.");
    }
}
