using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Families.MViT;

/// <summary>
/// MViT's pooling attention on tokens [B, 1+N, C_in] (class token first): the shared <see cref="MultiHeadAttention"/>'s qkv
/// projection, then queries, keys and values each pooled on their own grid (<see cref="AttentionPool"/>: <c>pool_q</c>,
/// <c>pool_k</c>, <c>pool_v</c>), softmax(s·q·kᵀ [+ decomposed relative positions, v2])·v, the pooled queries added back
/// (residual pooling, v2; the class token only when configured), heads merged and the output projection.
/// </summary>
public sealed class MultiscaleAttention : MultiHeadAttention
{
    private readonly AttentionPool? poolQ, poolK, poolV;
    private readonly Parameter? relativeH, relativeW, relativeT;

    public BlockGeometry Geometry { get; }
    public bool ResidualPool { get; }
    public bool ResidualWithClassToken { get; }
    public AttentionPool? PoolQ => poolQ;
    public AttentionPool? PoolK => poolK;
    public AttentionPool? PoolV => poolV;
    /// <summary>The relative-position tables [length, head_dim] along height, width and time (v2), or null.</summary>
    public (Parameter Height, Parameter Width, Parameter Time)? RelativePositions =>
        relativeH is null ? null : (relativeH, relativeW!, relativeT!);

    public MultiscaleAttention(MViTConfig config, MViTBlockSpec block, BlockGeometry geometry)
        : base(block.InChannels, config.ProjectAfterAttention ? block.OutChannels : block.InChannels, block.Heads,
            config.AttentionDropoutRate, prefixTokens: 1, name: nameof(MultiscaleAttention))
    {
        Geometry = geometry;
        ResidualPool = config.ResidualPool;
        ResidualWithClassToken = config.ResidualWithClassToken;
        double eps = config.LayerNormEpsilon;
        if (block.PoolsQueries)
            register_module("pool_q", poolQ = new AttentionPool(Heads, HeadDim, MViTBlockSpec.Triple(block.KernelQ), MViTBlockSpec.Triple(block.StrideQ), geometry.Input, eps));
        if (block.PoolsKeysValues)
        {
            var (kernel, stride) = (MViTBlockSpec.Triple(block.KernelKv), MViTBlockSpec.Triple(block.StrideKv));
            register_module("pool_k", poolK = new AttentionPool(Heads, HeadDim, kernel, stride, geometry.Input, eps));
            register_module("pool_v", poolV = new AttentionPool(Heads, HeadDim, kernel, stride, geometry.Input, eps));
        }
        if (config.RelativePositions)
        {
            Parameter Table(string name, int length)
            {
                var table = new Parameter(empty(length, HeadDim));
                using (no_grad()) nn.init.trunc_normal_(table, std: 0.02);
                register_parameter(name, table);
                return table;
            }
            relativeH = Table("rel_pos_height", geometry.RelativeSpatialLength);
            relativeW = Table("rel_pos_width", geometry.RelativeSpatialLength);
            relativeT = Table("rel_pos_time", geometry.RelativeTemporalLength);
        }
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        ThrowIfStreaming(state);
        var (q, k, v) = Project(x);
        if (poolK is not null) k = poolK.Forward(k, null);
        if (poolV is not null) v = poolV.Forward(v, null);
        if (poolQ is not null) q = poolQ.Forward(q, null);
        var scores = Scores(q, k, Scale);
        if (relativeH is not null)
            scores = DecomposedRelativePositions.Add(scores, q, Geometry.Queries, Geometry.KeysValues, relativeH, relativeW!, relativeT!);
        var y = scores.softmax(-1).matmul(v);
        if (ResidualPool)
        {
            if (ResidualWithClassToken) y = y.add_(q);
            else y.narrow(2, 1, y.shape[2] - 1).add_(q.narrow(2, 1, q.shape[2] - 1));
        }
        return ProjectOutput(MergeHeads(y));
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        long inputTokens = Tokens(input), queries = Geometry.Queries.Count + 1L, keys = Geometry.KeysValues.Count + 1L;
        var perHead = input with { Channels = HeadDim };
        poolQ?.Trace(perHead, trace);
        poolK?.Trace(perHead, trace);
        poolV?.Trace(perHead, trace);
        trace.AddMultiplyAdds(ProjectionMacs(inputTokens, queries) + AttentionMacs(Heads, queries, keys, HeadDim));
        if (relativeH is not null) trace.AddMultiplyAdds(DecomposedRelativePositions.MultiplyAdds(Heads, HeadDim, Geometry.Queries, Geometry.KeysValues));
        var q = Geometry.Queries;
        return new VideoShape(Channels, q.Time, q.Height, q.Width);
    }
}
