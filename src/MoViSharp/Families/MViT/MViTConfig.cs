using MoViSharp.Models;

namespace MoViSharp.Families.MViT;

/// <summary>
/// Every knob of torchvision's MViT as data (its constructor's arguments): the input clip the positions are sized for, the blocks,
/// the v1/v2 switches (absolute or relative positions, residual pooling, where the channel projection sits), the patch embedding,
/// dropouts and stochastic depth. <see cref="MViTSpecs"/> names the published configurations.
/// </summary>
public sealed record MViTConfig : ModelConfig
{
    public override string Family => MViTFamily.FamilyName;

    public required IReadOnlyList<MViTBlockSpec> Blocks { get; init; }

    /// <summary>Frames of the input clip (positions and relative-position tables are sized for it).</summary>
    public int TemporalSize { get; init; } = 16;
    public (int Height, int Width) SpatialSize { get; init; } = (224, 224);

    /// <summary>v2: the pooled queries are added to the attention output (residual pooling).</summary>
    public bool ResidualPool { get; init; }
    /// <summary>The residual pooling includes the class token.</summary>
    public bool ResidualWithClassToken { get; init; }
    /// <summary>v2: decomposed relative positions in every attention; v1 (false): absolute positions added to the tokens.</summary>
    public bool RelativePositions { get; init; }
    /// <summary>v2: the block's channel change happens in the attention (qkv to the output width); v1: in the MLP.</summary>
    public bool ProjectAfterAttention { get; init; }

    /// <summary>Dropout before the classifier (training only).</summary>
    public double DropoutRate { get; init; } = 0.5;
    /// <summary>Dropout after the attention projection and in the MLPs (training only).</summary>
    public double AttentionDropoutRate { get; init; }
    /// <summary>Rate of the last block; block i of N drops with rate·i/(N−1) during training.</summary>
    public double StochasticDepthRate { get; init; } = 0.2;
    public double LayerNormEpsilon { get; init; } = 1e-6;

    public (int Time, int Height, int Width) PatchKernel { get; init; } = (3, 7, 7);
    public (int Time, int Height, int Width) PatchStride { get; init; } = (2, 4, 4);
    public (int Time, int Height, int Width) PatchPadding { get; init; } = (1, 3, 3);

    /// <summary>Short side the frames are resized to before the centre crop of <see cref="SpatialSize"/>.</summary>
    public int ResizeShortSide { get; init; } = 256;
    /// <summary>Frame rate the clip is sampled at (torchvision's weights: 16 frames at 7.5 fps).</summary>
    public double? Fps { get; init; } = 7.5;

    public static readonly IReadOnlyList<float> KineticsMean = [0.45f, 0.45f, 0.45f];
    public static readonly IReadOnlyList<float> KineticsStd = [0.225f, 0.225f, 0.225f];

    public override Preprocessing Preprocessing => new()
    {
        Frames = TemporalSize, Size = SpatialSize.Height, ResizeShortSide = ResizeShortSide, Fps = Fps,
        Mean = KineticsMean, Std = KineticsStd,
    };

    /// <summary>
    /// The same architecture built for clips of <paramref name="frames"/> × <paramref name="size"/>² (positions and relative-position
    /// tables follow the clip, as torchvision's <c>spatial_size</c>/<c>temporal_size</c> arguments do; weights of another size do not fit).
    /// </summary>
    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        TemporalSize = frames, SpatialSize = (size, size), ResizeShortSide = (int)Math.Round(size * 256.0 / 224.0),
        DropoutRate = dropout ?? DropoutRate, StochasticDepthRate = stochasticDepth ?? StochasticDepthRate,
    };
}
