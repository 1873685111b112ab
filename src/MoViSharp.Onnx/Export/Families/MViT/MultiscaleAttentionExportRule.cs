using MoViSharp.Families.MViT;
using MoViSharp.Onnx.Export.Rules;
using MoViSharp.Onnx.Graph;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Export.Families.MViT;

/// <summary>
/// MViT's <see cref="MultiscaleAttention"/> on tokens [B, 1+N, C_in]: the qkv Linear split into heads [B, H, 1+N, d]; each of
/// q, k, v pooled by its <see cref="AttentionPool"/> (the depthwise conv unit on the grid tokens, the class token around it, then
/// LayerNorm over d); (s·q)·kᵀ, plus (v2) the decomposed relative positions — tables gathered at export into constants
/// [n_q, n_k, d] per axis, three Einsums on the grid queries, zero for the class token; softmax·v; the residual pooled queries
/// (v2); heads merged and the output Linear.
/// </summary>
public sealed class MultiscaleAttentionExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not MultiscaleAttention attention) return null;
        if (!input.Tokens) throw new OnnxExportException(attention, "it takes tokens [B, 1+N, C], and the value here is a video");
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(attention);
        var geometry = attention.Geometry;
        long heads = attention.Heads, d = attention.HeadDim, tokens = geometry.Input.Count + 1L;
        var qkv = TokenOps.Linear(g, input.Value, attention.Qkv, $"{hint}.qkv");
        var split = g.Node("Transpose", [g.Node("Reshape", [qkv, g.Int64s(0, tokens, 3, heads, d)], $"{hint}.qkv_heads")], $"{hint}.qkv_split",
            attributes: [OnnxAttributes.Ints("perm", 2, 0, 3, 1, 4)]);                                                   // [3, B, H, 1+N, d]
        OnnxValue Part(long i, string name) => g.Node("Gather", [split, g.Int64Scalar(i)], $"{hint}.{name}", attributes: [OnnxAttributes.Int("axis", 0)]);
        var grid = new VideoShape((int)d, geometry.Input.Time, geometry.Input.Height, geometry.Input.Width);
        var (k, _) = Pool(context, attention.PoolK, Part(1, "k"), grid, heads, $"{hint}.pool_k");
        var (v, _) = Pool(context, attention.PoolV, Part(2, "v"), grid, heads, $"{hint}.pool_v");
        var (q, _) = Pool(context, attention.PoolQ, Part(0, "q"), grid, heads, $"{hint}.pool_q");

        var scaled = g.Node("Mul", [q, g.Scalar((float)attention.Scale, $"{hint}.scale")], $"{hint}.q_scaled");
        var scores = g.Node("MatMul", [scaled, g.Node("Transpose", [k], $"{hint}.k_t", attributes: [OnnxAttributes.Ints("perm", 0, 1, 3, 2)])], $"{hint}.scores");
        if (attention.RelativePositions is { } tables)
            scores = g.Node("Add", [scores, RelativeBias(g, q, geometry, tables, heads, d, hint)], $"{hint}.scores_rel");
        var weights = g.Node("Softmax", [scores], $"{hint}.softmax", attributes: [OnnxAttributes.Int("axis", -1)]);
        var y = g.Node("MatMul", [weights, v], $"{hint}.attended");                                                   // [B, H, 1+N_q, d]
        if (attention.ResidualPool)
        {
            var residual = attention.ResidualWithClassToken ? q
                : g.Node("Pad", [TokenOps.Slice(g, q, 1, geometry.Queries.Count + 1L, 2, $"{hint}.q_grid"), g.Int64s(0, 0, 1, 0, 0, 0, 0, 0)], $"{hint}.q_residual");
            y = g.Node("Add", [y, residual], $"{hint}.residual_pool");
        }
        var output = context.OutputShape(attention, input.Shape);
        long queries = geometry.Queries.Count + 1L;
        var merged = g.Node("Reshape", [g.Node("Transpose", [y], $"{hint}.merge", attributes: [OnnxAttributes.Ints("perm", 0, 2, 1, 3)]),
            g.Int64s(0, queries, heads * d)], $"{hint}.merged");
        return new OnnxActivation(TokenOps.Linear(g, merged, attention.Output, $"{hint}.output"), output) { Tokens = true };
    }

    /// <summary>An <see cref="AttentionPool"/> on q, k or v [B, H, 1+N, d] (or the value itself when the attention does not pool it).</summary>
    private static (OnnxValue, VideoShape) Pool(OnnxExportContext context, AttentionPool? pool, OnnxValue x, VideoShape grid, long heads, string hint)
    {
        if (pool is null) return (x, grid);
        var (pooled, shape) = TokenOps.PoolGrid(context.Graph, x, [(int)heads], grid, 1, video => context.Export(pool.Conv, video), hint);
        var normed = context.Export(pool.Norm, new OnnxActivation(pooled, shape) { Tokens = true });
        return (normed.Value, shape);
    }

    /// <summary>The decomposed relative-position bias [B, H, 1+N_q, 1+N_k] (zero in the class token's row and column).</summary>
    private static OnnxValue RelativeBias(OnnxGraph g, OnnxValue q, BlockGeometry geometry, (Parameter Height, Parameter Width, Parameter Time) tables,
        long heads, long d, string hint)
    {
        TokenGrid qg = geometry.Queries, kg = geometry.KeysValues;
        OnnxValue Table(Parameter table, int queries, int keys, string name)
        {
            float[] values;
            using (NewDisposeScope())
            using (no_grad())
                values = TensorValues.Floats(DecomposedRelativePositions.Gather(table, queries, keys));
            return g.Floats(values, [queries, keys, d], $"{hint}.rel_{name}");
        }
        var r = g.Node("Reshape", [TokenOps.Slice(g, q, 1, qg.Count + 1L, 2, $"{hint}.q_grid_rel"), g.Int64s(0, heads, qg.Time, qg.Height, qg.Width, d)], $"{hint}.q_grid6");
        OnnxValue Einsum(string equation, OnnxValue table, string name) =>
            g.Node("Einsum", [r, table], $"{hint}.rel_{name}_bias", attributes: [OnnxAttributes.String("equation", equation)]);
        var byHeight = Einsum("bnthwc,hkc->bnthwk", Table(tables.Height, qg.Height, kg.Height, "h"), "h");
        var byWidth = Einsum("bnthwc,wkc->bnthwk", Table(tables.Width, qg.Width, kg.Width, "w"), "w");
        var byTime = Einsum("bnthwc,tkc->bnthwk", Table(tables.Time, qg.Time, kg.Time, "t"), "t");
        OnnxValue Spread(OnnxValue x, long kt, long kh, long kw, string name) =>
            g.Node("Reshape", [x, g.Int64s(0, heads, qg.Time, qg.Height, qg.Width, kt, kh, kw)], $"{hint}.rel_{name}_spread");
        var sum = g.Node("Add", [g.Node("Add", [Spread(byHeight, 1, kg.Height, 1, "h"), Spread(byWidth, 1, 1, kg.Width, "w")], $"{hint}.rel_hw"),
            Spread(byTime, kg.Time, 1, 1, "t")], $"{hint}.rel_thw");
        var bias = g.Node("Reshape", [sum, g.Int64s(0, heads, qg.Count, kg.Count)], $"{hint}.rel_bias");
        return g.Node("Pad", [bias, g.Int64s(0, 0, 1, 1, 0, 0, 0, 0)], $"{hint}.rel_bias_padded");
    }
}
