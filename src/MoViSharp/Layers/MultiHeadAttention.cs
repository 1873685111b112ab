using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// Multi-head scaled dot-product self-attention on tokens [B, N, C_in] → [B, N, C]: one Linear (<c>qkv</c>) to queries, keys and
/// values, laid out [3][heads][head_dim] along its output (the PyTorch / torchvision / timm order), softmax(s·q·kᵀ)·v per head with
/// s = 1/√head_dim, heads concatenated, an output Linear (<c>output</c>) and dropout (training only). Families with pooled or
/// biased attention (MViT) derive from it and reuse <see cref="Project"/>, <see cref="Scores"/>, <see cref="MergeHeads"/> and
/// <see cref="ProjectOutput"/>. Every token attends to every token of the clip, so the clip call is the only call; a continual
/// encoder that streams attention is a separate module.
/// </summary>
public class MultiHeadAttention : StreamModule
{
    private readonly Linear qkv;
    private readonly Linear output;

    public int InChannels { get; }
    /// <summary>The attention width C = heads · head_dim (queries, keys, values and output).</summary>
    public int Channels { get; }
    public int Heads { get; }
    public int HeadDim { get; }
    public double Scale { get; }
    public double DropoutRate { get; }
    /// <summary>Tokens before the T·H·W grid tokens (e.g. 1 for a class token); Trace counts them.</summary>
    public int PrefixTokens { get; }
    public Linear Qkv => qkv;
    public Linear Output => output;

    public MultiHeadAttention(int inChannels, int channels, int heads, double dropoutRate = 0, int prefixTokens = 0, string? name = null)
        : base(name ?? nameof(MultiHeadAttention))
    {
        if (heads < 1 || channels % heads != 0) throw new ArgumentException($"{channels} channels do not split into {heads} heads.");
        (InChannels, Channels, Heads, HeadDim, DropoutRate, PrefixTokens) = (inChannels, channels, heads, channels / heads, dropoutRate, prefixTokens);
        Scale = 1.0 / Math.Sqrt(HeadDim);
        qkv = nn.Linear(inChannels, 3L * channels);
        output = nn.Linear(channels, channels);
        register_module("qkv", qkv);
        register_module("output", output);
    }

    /// <summary>Queries, keys and values [B, heads, N, head_dim] of tokens [B, N, C_in].</summary>
    public (Tensor Queries, Tensor Keys, Tensor Values) Project(Tensor x)
    {
        if (x.dim() != 3 || x.shape[2] != InChannels)
            throw new ArgumentException($"{Describe()} takes tokens [B, N, {InChannels}], got [{string.Join(", ", x.shape)}].");
        var all = qkv.forward(x).reshape(x.shape[0], x.shape[1], 3, Heads, HeadDim).permute(2, 0, 3, 1, 4);
        return (all[0], all[1], all[2]);
    }

    /// <summary>Attention logits s·q·kᵀ [B, heads, N_q, N_k] (the scale applied to the queries first, as PyTorch's models do).</summary>
    public static Tensor Scores(Tensor queries, Tensor keys, double scale)
    {
        using var s = scale.ToScalar();   // held during the call: see Scalars
        return queries.mul(s).matmul(keys.transpose(-2, -1));
    }

    /// <summary>[B, heads, N, head_dim] → [B, N, heads·head_dim].</summary>
    public static Tensor MergeHeads(Tensor x) => x.transpose(1, 2).reshape(x.shape[0], x.shape[2], x.shape[1] * x.shape[3]);

    /// <summary>The output Linear and its dropout.</summary>
    public Tensor ProjectOutput(Tensor merged)
    {
        var y = output.forward(merged);
        return DropoutRate > 0 && training ? F.dropout(y, DropoutRate, training) : y;
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        ThrowIfStreaming(state);
        var (q, k, v) = Project(x);
        var weights = Scores(q, k, Scale).softmax(-1);
        return ProjectOutput(MergeHeads(weights.matmul(v)));
    }

    /// <summary>Multiply-adds of q·kᵀ and weights·v: 2 · heads · N_q · N_k · head_dim.</summary>
    public static long AttentionMacs(long heads, long queries, long keys, long headDim) => 2 * heads * queries * keys * headDim;

    /// <summary>Multiply-adds of the qkv Linear on <paramref name="inputTokens"/> and the output Linear on <paramref name="queryTokens"/>.</summary>
    public long ProjectionMacs(long inputTokens, long queryTokens) => inputTokens * InChannels * 3L * Channels + queryTokens * (long)Channels * Channels;

    /// <summary>Tokens of a grid shape: T·H·W plus the prefix tokens.</summary>
    public long Tokens(VideoShape grid) => grid.Frames * grid.Height * grid.Width + PrefixTokens;

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        long tokens = Tokens(input);
        trace.AddMultiplyAdds(ProjectionMacs(tokens, tokens) + AttentionMacs(Heads, tokens, tokens, HeadDim));
        return input with { Channels = Channels };
    }

    /// <summary>Every output depends on every frame of the clip: an unbounded receptive field.</summary>
    public override TemporalProfile Temporal => TemporalProfile.Cumulative;

    public override string? NotStreamableReason =>
        $"{Describe()} attends from every token to every token of the clip (all frames at once), so it needs the whole clip";

    protected void ThrowIfStreaming(StreamState? state)
    {
        if (state is not null) throw new NotSupportedException($"{NotStreamableReason}; it has no many-step call.");
    }

    protected string Describe() => Path.Length == 0 ? GetType().Name : Path;

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
