using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Families.MViT;

/// <summary>
/// A multiscale vision transformer (torchvision's MViT, v1 and v2) built from an <see cref="MViTConfig"/>: patch embedding
/// (<c>patch_embed</c>, a strided 3-D conv with bias) → tokens with a class token (<c>tokens</c>) → multiscale blocks
/// (<c>blocks</c>) → LayerNorm (<c>norm</c>) → classifier on the class token (<c>head</c>). Input clips [B, 3, T, H, W] of the
/// configured size, normalised as <see cref="MViTConfig.Preprocessing"/> says; inside, activations are tokens [B, 1+N, C]; the
/// head gives logits [B, K, 1, 1, 1]. A clip model: it does not stream.
/// </summary>
public sealed class MViT : VideoModel
{
    private readonly MViTConfig config;

    public override ModelConfig Config => config;
    public MViTConfig Spec => config;
    public ConvUnit PatchEmbed { get; }
    public TokenEmbedding Tokens { get; }
    public IReadOnlyList<MultiscaleBlock> Blocks { get; }
    public LayerNorm Norm { get; }
    public ClassTokenHead Head { get; }

    public MViT(MViTConfig config) : this(config, Parts.Of(config)) { }

    private MViT(MViTConfig config, Parts parts) : base($"MViT-{config.Id}", parts.Named)
    {
        this.config = config;
        (PatchEmbed, Tokens, Blocks, Norm, Head) = (parts.PatchEmbed, parts.Tokens, parts.Blocks, parts.Norm, parts.Head);
    }

    public override string NotStreamableReason =>
        $"{config.Id} is a clip model: every block's self-attention relates all tokens of all {config.TemporalSize} frames, and the class " +
        "token it classifies summarises the whole clip, so no output exists before the last frame (a continual transformer version is separate work)";

    private sealed record Parts(ConvUnit PatchEmbed, TokenEmbedding Tokens, IReadOnlyList<MultiscaleBlock> Blocks, LayerNorm Norm, ClassTokenHead Head)
    {
        public IEnumerable<(string, StreamModule)> Named =>
        [
            ("patch_embed", PatchEmbed), ("tokens", Tokens),
            ("blocks", new Sequential("Blocks", Blocks.Select((b, i) => (i.ToString(), (StreamModule)b)))),
            ("norm", Norm), ("head", Head),
        ];

        public static Parts Of(MViTConfig c)
        {
            var geometry = MViTGeometry.Blocks(c);
            int channels = c.Blocks[0].InChannels;
            var patch = new ConvUnit(3, channels, c.PatchKernel, c.PatchStride.Height, useBias: true, batchNorm: false,
                temporalStride: c.PatchStride.Time, padding: c.PatchPadding);
            var tokens = new TokenEmbedding(channels, MViTGeometry.PatchGrid(c), absolutePositions: !c.RelativePositions);
            if (!c.RelativePositions && MViTGeometry.PatchGrid(c) != MViTGeometry.NominalPatchGrid(c))
                throw new ArgumentException($"MViT '{c.Name}': a {c.TemporalSize}×{c.SpatialSize.Height}×{c.SpatialSize.Width} clip gives a " +
                    $"{MViTGeometry.PatchGrid(c)} patch grid, not the {MViTGeometry.NominalPatchGrid(c)} its absolute positions are sized for; use a clip size divisible by the patch stride.");
            int last = c.Blocks.Count - 1;
            var blocks = c.Blocks.Select((b, i) =>
                new MultiscaleBlock(c, b, geometry[i], last == 0 ? 0 : c.StochasticDepthRate * i / last)).ToList();
            var norm = new LayerNorm(c.Blocks[last].OutChannels, c.LayerNormEpsilon);
            var head = new ClassTokenHead(c.Blocks[last].OutChannels, c.NumClasses, c.DropoutRate);
            return new Parts(patch, tokens, blocks, norm, head);
        }
    }
}
