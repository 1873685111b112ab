using MoViSharp.Models;

namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// A Tiny Video Network (Piergiovanni, Angelova, Ryoo; arXiv 1910.06961) as data: the clip (frames sampled
/// <see cref="FrameStride"/> apart, <see cref="ImageSize"/>²) and the searched blocks. The architecture depends on the clip's
/// frame count (temporal ops run only while more than one frame is left; a skip only where the frame count stays), so the model
/// is built for <see cref="Frames"/> frames. No weights were published: MoViSharp safetensors only.
/// </summary>
public sealed record TvnConfig : ModelConfig
{
    public override string Family => TvnFamily.FamilyName;

    public required IReadOnlyList<TvnBlockSpec> Blocks { get; init; }
    public int Frames { get; init; } = 2;
    public int FrameStride { get; init; } = 1;
    public int ImageSize { get; init; } = 224;

    /// <summary>Dropout before the classifier (TF keep probability 0.5; training only).</summary>
    public double DropoutRate { get; init; } = 0.5;
    /// <summary>TF batch_norm.py: epsilon 1e-5, decay 0.9 (PyTorch momentum 0.1).</summary>
    public double BatchNormEpsilon { get; init; } = 1e-5;
    public double BatchNormMomentum { get; init; } = 0.1;

    /// <summary>Frames resized to the square image size; values in [0, 1] (no mean/std in the TF input pipeline of the release).</summary>
    public override Preprocessing Preprocessing => new()
    {
        Frames = Frames,
        Size = ImageSize,
        FrameStride = FrameStride,
    };

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        Frames = frames, ImageSize = size, DropoutRate = dropout ?? DropoutRate,
    };

    public void Validate()
    {
        if (Blocks.Count == 0) throw new ArgumentException($"{Name}: a TVN needs at least one block.");
        if (NumClasses < 1 || Frames < 1 || FrameStride < 1 || ImageSize < 1)
            throw new ArgumentException($"{Name}: classes, frames, frame stride and image size must be positive.");
        foreach (var (b, i) in Blocks.Select((b, i) => (b, i)))
            if (b.Filters < 1 || b.SpatialKernel < 1 || b.SpatialStride < 1 || b.TemporalKernel < 1 || b.TemporalStride < 1 || b.Repeats < 1
                || b.Expand < 0 || b.Squeeze < 0 || b.Squeeze > 1)
                throw new ArgumentException($"{Name}: block {i + 1} needs positive filters, kernels, strides and repeats, expand ≥ 0 and squeeze in [0, 1].");
    }
}
