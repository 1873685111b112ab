using MoViSharp.Models;
using MoViSharp.Streaming;

namespace MoViSharp.Families.Continual;

/// <summary>
/// A clip model made continual (Hedegaard &amp; Iosifidis, Co3D): the base configuration — a registered name such as
/// <c>x3d_m</c>, or a whole configuration — and the conversion's choices: the window of the global average pool that becomes a
/// sliding window (16, or an extended 64), and the temporal fill before the first frame (zeros or replicate). The weights are
/// the base model's, unchanged.
/// </summary>
public sealed record ContinualConfig : ModelConfig
{
    public const string FamilyName = "continual";

    public override string Family => FamilyName;

    /// <summary>The registered clip model this one converts (when <see cref="BaseConfig"/> is not given).</summary>
    public string? BaseName { get; init; }

    /// <summary>An explicit base configuration (custom architectures, checkpoints); wins over <see cref="BaseName"/>.</summary>
    public ModelConfig? BaseConfig { get; init; }

    /// <summary>Frames the global pool averages over, as a sliding window; null keeps the base's clip length.</summary>
    public int? PoolWindow { get; init; }

    public TemporalFill Fill { get; init; } = TemporalFill.Zeros;

    /// <summary>The base configuration with this model's classes.</summary>
    public ModelConfig Base => (BaseConfig ?? (BaseName is { } name
            ? ModelRegistry.Config(name)
            : throw new InvalidOperationException($"The continual model '{Name}' names no base model."))) with { NumClasses = NumClasses };

    public override Preprocessing Preprocessing => Base.Preprocessing;

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) =>
        this with { BaseConfig = Base.ForTraining(frames, size, dropout, stochasticDepth) };
}
