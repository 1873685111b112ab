using MoViSharp.Onnx.Graph;
using TorchSharp.Modules;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>Token-sequence building blocks shared by the transformer rules: Linear layers and operations on the grid tokens behind the prefix.</summary>
internal static class TokenOps
{
    /// <summary>x·Wᵀ + b on the last axis of <paramref name="x"/> (any rank).</summary>
    public static OnnxValue Linear(OnnxGraph g, OnnxValue x, Linear linear, string hint)
    {
        var w = linear.weight!;
        var product = g.Node("MatMul", [x, g.Floats(TensorValues.Floats(w.t()), [w.shape[1], w.shape[0]], $"{hint}.weight_t")], $"{hint}.matmul");
        return linear.bias is { } b
            ? g.Node("Add", [product, g.Floats(TensorValues.Floats(b), [b.shape[0]], $"{hint}.bias")], hint)
            : product;
    }

    /// <summary>
    /// Runs <paramref name="pool"/> on the grid tokens of <paramref name="tokens"/> [L.., P+N, C] (<paramref name="leading"/> = |L|
    /// leading dims, the first symbolic) viewed as a video [L·, C, T, H, W]; the <paramref name="prefix"/> tokens pass around it.
    /// Returns [L.., P+N′, C] and the pooled grid.
    /// </summary>
    public static (OnnxValue Tokens, Profiling.VideoShape Grid) PoolGrid(OnnxGraph g, OnnxValue tokens, int[] leadingFixed, Profiling.VideoShape grid,
        int prefix, Func<OnnxActivation, OnnxActivation> pool, string hint)
    {
        long n = grid.Frames * grid.Height * grid.Width, c = grid.Channels;
        int axis = leadingFixed.Length + 1;           // the token axis
        var head = Slice(g, tokens, 0, prefix, axis, $"{hint}.prefix");
        var body = Slice(g, tokens, prefix, prefix + n, axis, $"{hint}.grid");
        var perm = Enumerable.Range(0, axis + 2).Select(i => (long)i).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        var video = g.Node("Reshape", [g.Node("Transpose", [body], $"{hint}.channels_first", attributes: [OnnxAttributes.Ints("perm", perm)]),
            g.Int64s(-1, c, grid.Frames, grid.Height, grid.Width)], $"{hint}.video");
        var pooled = pool(new OnnxActivation(video, grid));
        var p = pooled.Shape;
        long pooledCount = p.Frames * p.Height * p.Width;
        var back = g.Node("Transpose", [g.Node("Reshape", [pooled.Value, g.Int64s([-1, .. leadingFixed.Select(l => (long)l), p.Channels, pooledCount])], $"{hint}.pooled_flat")],
            $"{hint}.pooled_tokens", attributes: [OnnxAttributes.Ints("perm", perm)]);
        return (g.Node("Concat", [head, back], hint, attributes: [OnnxAttributes.Int("axis", axis)]), p);
    }

    public static OnnxValue Slice(OnnxGraph g, OnnxValue x, long start, long end, long axis, string hint) =>
        g.Node("Slice", [x, g.Int64s(start), g.Int64s(end), g.Int64s(axis)], hint);
}
