using MoViSharp.Models;

namespace MoViSharp.Families.X3D;

/// <summary>
/// Every knob of an X3D (Feichtenhofer, CVPR 2020) as data, in the shape of PyTorchVideo's <c>create_x3d</c>: the stem width, per
/// stage (res2…res5) its output width, bottleneck width, blocks and squeeze-excitation width (0: none), the head's widths, and
/// the clip the network is built for (<see cref="Frames"/> × <see cref="CropSize"/>²), which fixes the head's average pool.
/// <see cref="X3DSpecs.FromFactors"/> derives the widths and depths from the paper's width and depth factors.
/// </summary>
public sealed record X3DConfig : ModelConfig
{
    public override string Family => X3DFamily.FamilyName;

    public int StemWidth { get; init; } = 24;
    public IReadOnlyList<int> StageWidths { get; init; } = [24, 48, 96, 192];
    public IReadOnlyList<int> InnerWidths { get; init; } = [54, 108, 216, 432];
    public IReadOnlyList<int> Depths { get; init; } = [3, 5, 11, 7];
    /// <summary>The squeeze width of each stage's SE (on blocks 0, 2, 4, … of the stage); 0 for none.</summary>
    public IReadOnlyList<int> SeWidths { get; init; } = [8, 8, 16, 32];
    /// <summary>The head's 1×1×1 conv before the pool (PyTorchVideo: the last stage's bottleneck width).</summary>
    public int HeadInnerWidth { get; init; } = 432;
    /// <summary>The head's 1×1×1 conv after the pool (the "lin_5" features before the classifier).</summary>
    public int HeadWidth { get; init; } = 2048;
    public int StemTemporalKernel { get; init; } = 5;
    public int BlockTemporalKernel { get; init; } = 3;

    /// <summary>The clip the network is built for: the head pools a fixed Frames × ⌈CropSize/32⌉² window.</summary>
    public int Frames { get; init; } = 13;
    public int CropSize { get; init; } = 160;

    public double DropoutRate { get; init; } = 0.5;
    public double BatchNormEpsilon { get; init; } = 1e-5;
    /// <summary>PyTorch convention (PyTorchVideo's 0.1).</summary>
    public double BatchNormMomentum { get; init; } = 0.1;

    /// <summary>Frames are taken every <see cref="SamplingRate"/>-th frame at 30 fps; the short side is resized to <see cref="ResizeShortSide"/>.</summary>
    public int SamplingRate { get; init; } = 6;
    public int? ResizeShortSide { get; init; } = 182;

    public (int Time, int Height, int Width) HeadPool
    {
        get
        {
            var (_, h, w) = FinalMap(Frames, CropSize, CropSize, StageWidths.Count);
            return (Frames, (int)h, (int)w);
        }
    }

    /// <summary>The last stage's feature map of a T×H×W clip: the stem and every stage halve the space (rounding up, as their
    /// padded stride-2 convs do); time is kept.</summary>
    public static (long Frames, long Height, long Width) FinalMap(long frames, long height, long width, int stages = 4)
    {
        long Halve(long x) { for (int i = 0; i <= stages; i++) x = (x + 1) / 2; return x; }
        return (frames, Halve(height), Halve(width));
    }

    /// <summary>PyTorchVideo's hub recipe: mean 0.45, std 0.225, frames every <see cref="SamplingRate"/>-th at 30 fps, short side
    /// resized then a centre crop of the build size.</summary>
    public override Preprocessing Preprocessing => new()
    {
        Frames = Frames,
        Size = CropSize,
        ResizeShortSide = ResizeShortSide,
        Fps = 30,
        FrameStride = SamplingRate,
        Mean = PyTorchVideoMean,
        Std = PyTorchVideoStd,
    };

    public static readonly IReadOnlyList<float> PyTorchVideoMean = [0.45f, 0.45f, 0.45f];
    public static readonly IReadOnlyList<float> PyTorchVideoStd = [0.225f, 0.225f, 0.225f];

    /// <summary>Training on another clip rebuilds the head pool for it (the weights do not change).</summary>
    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        Frames = frames, CropSize = size, DropoutRate = dropout ?? DropoutRate,
        ResizeShortSide = ResizeShortSide is { } side ? (int)Math.Round(side * (double)size / CropSize) : null,
    };

    /// <summary>True when <paramref name="other"/> has the same tensors (names and shapes); the clip and the recipe aside.</summary>
    public bool SameWeights(X3DConfig other) =>
        StemWidth == other.StemWidth && StageWidths.SequenceEqual(other.StageWidths) && InnerWidths.SequenceEqual(other.InnerWidths)
        && Depths.SequenceEqual(other.Depths) && SeWidths.SequenceEqual(other.SeWidths) && HeadInnerWidth == other.HeadInnerWidth
        && HeadWidth == other.HeadWidth && StemTemporalKernel == other.StemTemporalKernel && BlockTemporalKernel == other.BlockTemporalKernel;

    /// <summary>True when <paramref name="other"/> computes the same function (same weights, clip and BatchNorm epsilon).</summary>
    public bool SameArchitecture(X3DConfig other) =>
        SameWeights(other) && Frames == other.Frames && CropSize == other.CropSize && BatchNormEpsilon == other.BatchNormEpsilon;

    /// <summary>Throws unless every per-stage list has one entry per stage and every number is positive.</summary>
    public void Validate()
    {
        int stages = StageWidths.Count;
        if (stages == 0) throw new ArgumentException($"{Name}: an X3D needs at least one stage.");
        if (InnerWidths.Count != stages || Depths.Count != stages || SeWidths.Count != stages)
            throw new ArgumentException($"{Name}: stage widths, inner widths, depths and SE widths need one entry per stage " +
                $"(got {stages}, {InnerWidths.Count}, {Depths.Count}, {SeWidths.Count}).");
        if (StageWidths.Concat(InnerWidths).Concat(Depths).Append(StemWidth).Append(HeadInnerWidth).Append(HeadWidth)
                .Append(NumClasses).Append(Frames).Append(CropSize).Append(SamplingRate).Any(v => v < 1) || SeWidths.Any(v => v < 0))
            throw new ArgumentException($"{Name}: widths, depths, classes and the clip must be positive (SE widths ≥ 0).");
        if (StemTemporalKernel % 2 == 0 || BlockTemporalKernel % 2 == 0 || StemTemporalKernel < 1 || BlockTemporalKernel < 1)
            throw new ArgumentException($"{Name}: temporal kernels must be odd (padded k/2 on both sides).");
    }
}
