using MoViSharp.Layers.Transformers;
using MoViSharp.Onnx.Graph;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// One <see cref="TransformerLayer"/> as ONNX nodes, on tokens [.., N, C] with a fixed number of leading dimensions (batch, or
/// batch and window index): the qkv projection split into heads [.., H, N, d], and the output projection, norms and
/// feed-forward that finish the layer. Reshapes copy the leading dimensions (0) and name the rest, so no shape is computed.
/// </summary>
internal sealed class TransformerLayerGraph
{
    private readonly OnnxExportContext context;
    private readonly OnnxGraph g;
    private readonly TransformerLayer layer;
    private readonly string hint;
    private readonly int leading;
    private readonly Dictionary<string, Tensor> weights;

    public TransformerLayerGraph(OnnxExportContext context, TransformerLayer layer, string hint, int leading)
    {
        (this.context, g, this.layer, this.hint, this.leading) = (context, context.Graph, layer, hint, leading);
        weights = layer.state_dict();
    }

    public int Heads => layer.Heads;
    public int HeadChannels => layer.HeadChannels;
    public float Scale => (float)layer.Scale;

    /// <summary>Queries, keys and values [.., H, N, d] of tokens [.., N, C].</summary>
    public (OnnxValue Q, OnnxValue K, OnnxValue V) Project(OnnxValue tokens, long n, string name)
    {
        long c = layer.Channels;
        var qkv = Linear(tokens, "in_proj_weight", "in_proj_bias", $"{name}.qkv");
        var parts = g.NodeWithOutputs("Split", [qkv, g.Int64s(c, c, c)], $"{hint}.{name}.split",
            [(null, qkv.ElementType), (null, qkv.ElementType), (null, qkv.ElementType)], [OnnxAttributes.Int("axis", -1)]);
        return (SplitHeads(parts[0], n, $"{name}.q"), SplitHeads(parts[1], n, $"{name}.k"), SplitHeads(parts[2], n, $"{name}.v"));
    }

    /// <summary>Attention outputs [.., H, N, d] → the layer's outputs [.., N, C] for the tokens <paramref name="x"/> they belong to.</summary>
    public OnnxValue Finish(OnnxValue x, OnnxValue attended, long n, string name)
    {
        var merged = g.Node("Reshape", [g.Node("Transpose", [attended], $"{hint}.{name}.merge", attributes: [OnnxAttributes.Ints("perm", SwapLastButOne(leading + 3))]),
            g.Int64s([.. Copied(), n, layer.Channels])], $"{hint}.{name}.merged");
        var x1 = Norm(g.Node("Add", [x, Linear(merged, "out_proj.weight", "out_proj.bias", $"{name}.out")], $"{hint}.{name}.residual1"), "norm1", name);
        var hidden = Linear(x1, "linear1.weight", "linear1.bias", $"{name}.linear1");
        hidden = context.Activate(hidden, layer.Activation, $"{hint}.{name}.ffn");
        var x2 = g.Node("Add", [x1, Linear(hidden, "linear2.weight", "linear2.bias", $"{name}.linear2")], $"{hint}.{name}.residual2");
        return Norm(x2, "norm2", name);
    }

    /// <summary>softmax(masked(s·q·kᵀ))·v: keys where <paramref name="valid"/> (bool, broadcast to the scores) is false get no weight.</summary>
    public OnnxValue Attend(OnnxValue q, OnnxValue k, OnnxValue v, OnnxValue valid, string name)
    {
        var scores = Scores(q, k, name);
        var masked = g.Node("Where", [valid, scores, g.Scalar(float.NegativeInfinity, "const_minus_inf")], $"{hint}.{name}.masked");
        var weights = g.Node("Softmax", [masked], $"{hint}.{name}.softmax", attributes: [OnnxAttributes.Int("axis", -1)]);
        return g.Node("MatMul", [weights, v], $"{hint}.{name}.attended");
    }

    /// <summary>q·kᵀ·s [.., H, N_q, N_k] (scaled after the product, as the TorchSharp layer does).</summary>
    public OnnxValue Scores(OnnxValue q, OnnxValue k, string name) =>
        g.Node("Mul", [g.Node("MatMul", [q, Transposed(k, name)], $"{hint}.{name}.qk"), g.Scalar(Scale, $"{hint}.scale")], $"{hint}.{name}.scores");

    /// <summary>The last two axes swapped (kᵀ).</summary>
    public OnnxValue Transposed(OnnxValue x, string name) =>
        g.Node("Transpose", [x], $"{hint}.{name}.t", attributes: [OnnxAttributes.Ints("perm", SwapLastTwo(leading + 3))]);

    private OnnxValue SplitHeads(OnnxValue x, long n, string name)
    {
        var split = g.Node("Reshape", [x, g.Int64s([.. Copied(), n, layer.Heads, layer.HeadChannels])], $"{hint}.{name}.heads");
        return g.Node("Transpose", [split], $"{hint}.{name}", attributes: [OnnxAttributes.Ints("perm", SwapLastButOne(leading + 3))]);
    }

    private OnnxValue Linear(OnnxValue x, string weight, string bias, string name)
    {
        var w = weights[weight];
        var transposed = g.Floats(TensorValues.Floats(w.t()), [w.shape[1], w.shape[0]], $"{hint}.{weight}_t");
        var product = g.Node("MatMul", [x, transposed], $"{hint}.{name}.matmul");
        return g.Node("Add", [product, g.Floats(TensorValues.Floats(weights[bias]), [w.shape[0]], $"{hint}.{bias}")], $"{hint}.{name}");
    }

    private OnnxValue Norm(OnnxValue x, string norm, string name)
    {
        long c = layer.Channels;
        // nn.LayerNorm(C)'s default epsilon, which TransformerLayer uses.
        return g.Node("LayerNormalization", [x, g.Floats(TensorValues.Floats(weights[$"{norm}.weight"]), [c], $"{hint}.{norm}.weight"),
            g.Floats(TensorValues.Floats(weights[$"{norm}.bias"]), [c], $"{hint}.{norm}.bias")], $"{hint}.{name}.{norm}",
            attributes: [OnnxAttributes.Int("axis", -1), OnnxAttributes.Float("epsilon", 1e-5f)]);
    }

    private long[] Copied() => new long[leading];

    /// <summary>The permutation of a rank-<paramref name="rank"/> tensor that swaps axes rank−3 and rank−2 ([.., N, H, d] ↔ [.., H, N, d]).</summary>
    private static long[] SwapLastButOne(int rank)
    {
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[rank - 3], perm[rank - 2]) = (perm[rank - 2], perm[rank - 3]);
        return perm;
    }

    private static long[] SwapLastTwo(int rank)
    {
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[rank - 2], perm[rank - 1]) = (perm[rank - 1], perm[rank - 2]);
        return perm;
    }
}
