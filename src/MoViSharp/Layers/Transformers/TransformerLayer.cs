using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers.Transformers;

/// <summary>
/// The weights of one post-norm transformer encoder layer, named as PyTorch's <c>nn.TransformerEncoderLayer</c> names them
/// (<c>self_attn.in_proj_weight</c>, <c>self_attn.out_proj</c>, <c>linear1</c>, <c>linear2</c>, <c>norm1</c>, <c>norm2</c>), and its
/// three ways of running: over a whole window (<see cref="Regular"/>), for the newest token only (single output, Hedegaard et al.
/// 2023 §3.1) and for every token of the window updated incrementally (retroactive, §3.2) — the last two in
/// <see cref="ContinualTransformerEncoder"/>. y = norm2(x₁ + FFN(x₁)), x₁ = norm1(x + attention(x)), FFN = linear2(act(linear1)).
/// </summary>
public sealed class TransformerLayer : nn.Module
{
    private readonly Parameter in_proj_weight, in_proj_bias;
    private readonly Linear out_proj, linear1, linear2;
    private readonly TorchSharp.Modules.LayerNorm norm1, norm2;

    public int Channels { get; }
    public int Heads { get; }
    public int HeadChannels => Channels / Heads;
    public ActivationKind Activation { get; }

    public TransformerLayer(int channels, int heads, int feedForward, ActivationKind activation = ActivationKind.Relu) : base(nameof(TransformerLayer))
    {
        if (channels % heads != 0) throw new ArgumentException($"{channels} channels do not split into {heads} heads.");
        Channels = channels; Heads = heads; Activation = activation;
        in_proj_weight = new Parameter(empty(3 * channels, channels));
        in_proj_bias = new Parameter(zeros(3 * channels));
        nn.init.xavier_uniform_(in_proj_weight);
        out_proj = nn.Linear(channels, channels);
        linear1 = nn.Linear(channels, feedForward);
        linear2 = nn.Linear(feedForward, channels);
        norm1 = nn.LayerNorm(channels);
        norm2 = nn.LayerNorm(channels);
        RegisterComponents();
    }

    /// <summary>Queries, keys and values of tokens [B, N, C], each [B, heads, N, C/heads].</summary>
    public (Tensor Q, Tensor K, Tensor V) Project(Tensor tokens)
    {
        var qkv = F.linear(tokens, in_proj_weight, in_proj_bias).chunk(3, -1);
        Tensor Heads(Tensor t) => t.view(t.shape[0], t.shape[1], this.Heads, HeadChannels).transpose(1, 2);
        return (Heads(qkv[0]), Heads(qkv[1]), Heads(qkv[2]));
    }

    /// <summary>Attention outputs [B, heads, N, C/heads] → the layer's outputs [B, N, C] for the tokens <paramref name="x"/> they belong to.</summary>
    public Tensor Finish(Tensor x, Tensor attended)
    {
        var merged = attended.transpose(1, 2).reshape(x.shape[0], x.shape[1], Channels);
        var x1 = norm1.forward(x.add(out_proj.forward(merged)));
        return norm2.forward(x1.add(linear2.forward(Activations.Apply(linear1.forward(x1), Activation))));
    }

    public double Scale => 1.0 / Math.Sqrt(HeadChannels);

    /// <summary>The layer over a whole window of tokens [B, N, C] (every token attends to every token): the reference.</summary>
    public Tensor Regular(Tensor x)
    {
        var (q, k, v) = Project(x);
        var weights = q.matmul(k.transpose(-2, -1)).mul(Scale).softmax(-1);
        return Finish(x, weights.matmul(v));
    }

    /// <summary>Multiply-adds of the query, key and value projections of <paramref name="tokens"/> tokens.</summary>
    public long ProjectionMacs(long tokens) => tokens * 3L * Channels * Channels;

    /// <summary>Multiply-adds of the output projection and the feed-forward part for <paramref name="tokens"/> tokens.</summary>
    public long FinishMacs(long tokens) => tokens * ((long)Channels * Channels + 2L * Channels * linear1.weight!.shape[0]);
}
