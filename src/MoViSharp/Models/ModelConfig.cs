namespace MoViSharp.Models;

/// <summary>
/// A model's architecture as data: every family has its own record deriving from this one (configs are data, builders are
/// functions of configs). <see cref="Family"/> names the <see cref="IModelFamily"/> that builds it and writes it to JSON,
/// so a checkpoint can rebuild its model from the file alone.
/// </summary>
public abstract record ModelConfig
{
    /// <summary>The family's registry name (e.g. <c>movinet</c>).</summary>
    public abstract string Family { get; }

    /// <summary>The architecture's name within its family (e.g. <c>a0</c>, or <c>custom</c>).</summary>
    public required string Name { get; init; }

    public required int NumClasses { get; init; }

    /// <summary>The registry id of this configuration (e.g. <c>a0-stream</c>).</summary>
    public virtual string Id => Name;

    /// <summary>What the model expects of its input: frames, size, sampling and normalisation.</summary>
    public abstract Preprocessing Preprocessing { get; }

    /// <summary>
    /// The configuration for training on clips of <paramref name="frames"/> × <paramref name="size"/>² with the given
    /// regularisation (null keeps the family's). Families whose architecture records its native clip or has these knobs
    /// override it; the default keeps the architecture as it is.
    /// </summary>
    public virtual ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this;
}
