using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using LayerNorm = MoViSharp.Layers.LayerNorm;

namespace MoViSharp.Families.MViT;

/// <summary>
/// One multiscale transformer block on tokens [B, 1+N, C_in] → [B, 1+N′, C_out]:
/// x₁ = skip(x) + drop_path(attention(norm1(x))), out = proj(x₁) + drop_path(mlp(norm2(x₁))), where the skip is max-pooled
/// when the block downsamples. Where channels change, a Linear <c>project</c> maps the skip: v2 (project after attention)
/// projects norm1(x) before the skip pool and the attention already yields C_out; v1 projects norm2(x₁) and the MLP changes
/// the width. Stochastic depth acts only in training.
/// </summary>
public sealed class MultiscaleBlock : StreamModule
{
    private readonly LayerNorm norm1, norm2;
    private readonly MultiscaleAttention attention;
    private readonly TokenMaxPool? skipPool;
    private readonly Linear? project;
    private readonly TokenMlp mlp;

    public bool ProjectAfterAttention { get; }
    public double DropPathRate { get; }
    public BlockGeometry Geometry { get; }
    public LayerNorm Norm1 => norm1;
    public LayerNorm Norm2 => norm2;
    public MultiscaleAttention Attention => attention;
    public Linear? Project => project;
    public TokenMlp Mlp => mlp;

    public MultiscaleBlock(MViTConfig config, MViTBlockSpec block, BlockGeometry geometry, double dropPathRate) : base(nameof(MultiscaleBlock))
    {
        ProjectAfterAttention = config.ProjectAfterAttention;
        DropPathRate = dropPathRate;
        Geometry = geometry;
        int width = ProjectAfterAttention ? block.OutChannels : block.InChannels;
        norm1 = new LayerNorm(block.InChannels, config.LayerNormEpsilon);
        attention = new MultiscaleAttention(config, block, geometry);
        norm2 = new LayerNorm(width, config.LayerNormEpsilon);
        mlp = new TokenMlp(width, 4 * width, block.OutChannels, ActivationKind.Gelu, config.AttentionDropoutRate, prefixTokens: 1);
        register_module("norm1", norm1);
        register_module("attention", attention);
        if (block.Downsamples) register_module("skip_pool", skipPool = new TokenMaxPool(MViTBlockSpec.Triple(block.StrideQ), geometry.Input));
        if (block.InChannels != block.OutChannels) register_module("project", project = nn.Linear(block.InChannels, block.OutChannels));
        register_module("norm2", norm2);
        register_module("mlp", mlp);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        var normed = norm1.Forward(x, null);
        var attended = attention.Forward(normed, null);
        var skip = project is not null && ProjectAfterAttention ? project.forward(normed) : x;
        if (skipPool is not null) skip = skipPool.Forward(skip, null);
        x = skip.add(StochasticDepth.Apply(attended, DropPathRate, training));
        var normed2 = norm2.Forward(x, null);
        var shortcut = project is not null && !ProjectAfterAttention ? project.forward(normed2) : x;
        return shortcut.add(StochasticDepth.Apply(mlp.Forward(normed2, null), DropPathRate, training));
    }

    public override string? NotStreamableReason => attention.NotStreamableReason;

    public override TemporalProfile Temporal => attention.Temporal;

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var output = attention.Trace(input, trace);
        if (project is not null)
        {
            // v2 projects every input token (before the skip pool), v1 the block's output tokens.
            long tokens = (ProjectAfterAttention ? Geometry.Input.Count : Geometry.Queries.Count) + 1L;
            trace.AddMultiplyAdds(tokens * project.weight!.shape[1] * project.weight.shape[0]);
        }
        return mlp.Trace(output, trace);
    }

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
