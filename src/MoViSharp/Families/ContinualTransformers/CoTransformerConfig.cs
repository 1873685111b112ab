using MoViSharp.Families.MoViNets;
using MoViSharp.Models;

namespace MoViSharp.Families.ContinualTransformers;

/// <summary>
/// A streaming classifier of two parts: a per-frame CNN feature extractor (a causal MoViNet-Stream backbone: stem, blocks and
/// head conv, spatially pooled per frame) and a continual transformer encoder over the last <see cref="Window"/> frames'
/// features (one block: single-output attention; two or more: retroactive first), with recycling positional encodings.
/// </summary>
public sealed record CoTransformerConfig : ModelConfig
{
    public const string FamilyName = "cotransformer";

    public override string Family => FamilyName;

    public required MoViNetConfig Backbone { get; init; }
    public int Channels { get; init; } = 192;
    public int Heads { get; init; } = 4;
    public int FeedForward { get; init; } = 384;
    public int Blocks { get; init; } = 1;
    public int Window { get; init; } = 16;
    /// <summary>Recycled positions; the paper's rule 2·window − 1 keeps every window's positions distinct.</summary>
    public int Positions => 2 * Window - 1;

    public override Preprocessing Preprocessing => Backbone.Preprocessing;

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) =>
        this with { Backbone = (MoViNetConfig)Backbone.ForTraining(frames, size, dropout, stochasticDepth) };
}
