using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.MViT;

/// <summary>
/// MViT-v2's decomposed relative positions: for a query at (t, h, w) and a key at (t′, h′, w′) the attention logit gains
/// q·R_h[d_h] + q·R_w[d_w] + q·R_t[d_t], with tables R [2·max(n_q, n_k) − 1, head_dim] per axis (linearly resized when a grid
/// needs another length) and distances d = i·max(n_k/n_q, 1) − (j + 1 − n_k)·max(n_q/n_k, 1), truncated to integers (float32
/// arithmetic, as the reference computes them). Class tokens get no bias.
/// </summary>
public static class DecomposedRelativePositions
{
    /// <summary>Adds the bias to the grid part of <paramref name="scores"/> [B, heads, P+N_q, P+N_k] in place and returns it.</summary>
    public static Tensor Add(Tensor scores, Tensor queries, TokenGrid q, TokenGrid k, Tensor tableH, Tensor tableW, Tensor tableT, int prefix = 1)
    {
        var rh = Gather(tableH, q.Height, k.Height);       // [q_h, k_h, d]
        var rw = Gather(tableW, q.Width, k.Width);         // [q_w, k_w, d]
        var rt = Gather(tableT, q.Time, k.Time);           // [q_t, k_t, d]
        long batch = queries.shape[0], heads = queries.shape[1], dim = queries.shape[3];
        var r = queries.narrow(2, prefix, q.Count).reshape(batch, heads, q.Time, q.Height, q.Width, dim);
        var byHeight = einsum("bythwc,hkc->bythwk", r, rh);
        var byWidth = einsum("bythwc,wkc->bythwk", r, rw);
        var byTime = r.permute(2, 0, 1, 3, 4, 5).reshape(q.Time, batch * heads * q.Height * q.Width, dim)
            .matmul(rt.transpose(1, 2)).transpose(0, 1)
            .view(batch, heads, q.Height, q.Width, q.Time, k.Time).permute(0, 1, 4, 2, 3, 5);
        var bias = byHeight.view(batch, heads, q.Time, q.Height, q.Width, 1, k.Height, 1)
            .add(byWidth.view(batch, heads, q.Time, q.Height, q.Width, 1, 1, k.Width))
            .add(byTime.view(batch, heads, q.Time, q.Height, q.Width, k.Time, 1, 1))
            .reshape(batch, heads, q.Count, k.Count);
        scores.narrow(2, prefix, q.Count).narrow(3, prefix, k.Count).add_(bias);
        return scores;
    }

    /// <summary>Multiply-adds (fvcore convention): the two einsums and the temporal matmul, each output element × head_dim.</summary>
    public static long MultiplyAdds(long heads, long headDim, TokenGrid q, TokenGrid k) =>
        heads * (long)q.Count * (k.Height + k.Width + k.Time) * headDim;

    /// <summary>R[d(i, j)] for every query index i and key index j along one axis: [n_q, n_k, head_dim] (exporters make it a constant).</summary>
    public static Tensor Gather(Tensor table, int queries, int keys)
    {
        var resized = Resize(table, 2 * Math.Max(queries, keys) - 1);
        var distances = Distances(queries, keys, table.device);
        return resized.index_select(0, distances.flatten()).view(queries, keys, table.shape[1]);
    }

    private static Tensor Distances(int queries, int keys, Device device)
    {
        double queryRatio = Math.Max((double)keys / queries, 1.0), keyRatio = Math.Max((double)queries / keys, 1.0);
        var i = arange(queries, dtype: ScalarType.Int64, device: device).unsqueeze(1).mul(queryRatio);
        var j = arange(keys, dtype: ScalarType.Int64, device: device).unsqueeze(0).add(1.0 - keys).mul(keyRatio);
        return i.sub(j).to_type(ScalarType.Int64);
    }

    /// <summary>The table linearly resized to <paramref name="length"/> rows (align_corners false), or itself.</summary>
    private static Tensor Resize(Tensor table, int length) => table.shape[0] == length ? table
        : F.interpolate(table.permute(1, 0).unsqueeze(0), size: [length], mode: InterpolationMode.Linear).squeeze(0).permute(1, 0);
}
