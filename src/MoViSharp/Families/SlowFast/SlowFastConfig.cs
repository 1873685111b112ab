using MoViSharp.Families.X3D;
using MoViSharp.Models;

namespace MoViSharp.Families.SlowFast;

/// <summary>
/// Every knob of PyTorchVideo's Slow and SlowFast ResNets (Feichtenhofer et al., ICCV 2019) as data, in the words of
/// <c>create_resnet</c>/<c>create_slowfast</c>: the slow pathway's stem and per-stage blocks and conv_a temporal kernels, and, when
/// <see cref="FastChannelRatio"/> &gt; 0, the fast pathway (β = 1/ratio of the slow widths), its kernels, the speed ratio α and
/// the time-strided lateral fusion. <see cref="Frames"/> is the network's input clip (the fast clip of a SlowFast; the slow
/// pathway takes <c>linspace(0, T−1, T/α)</c> of it); with <see cref="CropSize"/> it fixes the head pools.
/// </summary>
public sealed record SlowFastConfig : ModelConfig
{
    public override string Family => SlowFastFamily.FamilyName;

    public IReadOnlyList<int> Depths { get; init; } = [3, 4, 6, 3];
    public int StemWidth { get; init; } = 64;
    public int SlowStemTemporalKernel { get; init; } = 1;
    /// <summary>The slow pathway's conv_a temporal kernel per stage (3×1×1 in res4 and res5).</summary>
    public IReadOnlyList<int> SlowConvAKernels { get; init; } = [1, 1, 3, 3];

    /// <summary>β⁻¹: the fast pathway's widths are the slow ones divided by this; 0 builds the slow pathway alone (Slow R50).</summary>
    public int FastChannelRatio { get; init; }
    public int FastStemTemporalKernel { get; init; } = 5;
    public IReadOnlyList<int> FastConvAKernels { get; init; } = [3, 3, 3, 3];
    /// <summary>α: the fast pathway's frames per slow frame (the fusion's temporal stride).</summary>
    public int Alpha { get; init; } = 4;
    public int FusionKernel { get; init; } = 7;
    /// <summary>The fusion conv's output width relative to the fast width.</summary>
    public int FusionChannelRatio { get; init; } = 2;

    /// <summary>The network's input clip: the slow clip of a Slow model, the fast clip of a SlowFast.</summary>
    public int Frames { get; init; } = 8;
    public int CropSize { get; init; } = 224;

    public double DropoutRate { get; init; } = 0.5;
    public double BatchNormEpsilon { get; init; } = 1e-5;
    public double BatchNormMomentum { get; init; } = 0.1;

    /// <summary>Frames are taken every <see cref="SamplingRate"/>-th frame at 30 fps.</summary>
    public int SamplingRate { get; init; } = 8;
    public int? ResizeShortSide { get; init; } = 256;

    public bool HasFast => FastChannelRatio > 0;

    /// <summary>The slow pathway's frames for an input clip of <paramref name="frames"/>.</summary>
    public long SlowFrames(long frames) => HasFast ? frames / Alpha : frames;

    /// <summary>The slow pathway's frame indices in a fast clip: <c>torch.linspace(0, T−1, T/α).long()</c> (truncated, not rounded).</summary>
    public long[] SlowIndices(long frames)
    {
        long n = SlowFrames(frames);
        if (n < 1) throw new ArgumentException($"{Name} needs at least α = {Alpha} frames (its slow pathway takes T/α of them), got {frames}.");
        using var indices = TorchSharp.torch.linspace(0, frames - 1, n).to_type(TorchSharp.torch.ScalarType.Int64);
        return indices.data<long>().ToArray();
    }

    /// <summary>The head's average pools (slow, fast): each pathway's final map at the build clip.</summary>
    public (int Time, int Height, int Width) SlowHeadPool => Pool(SlowFrames(Frames));
    public (int Time, int Height, int Width) FastHeadPool => Pool(Frames);

    private (int, int, int) Pool(long frames)
    {
        var (t, h, w) = FinalMap(frames, CropSize, CropSize);
        return ((int)t, (int)h, (int)w);
    }

    /// <summary>A pathway's res5 map: the stem conv, the stem pool and res3–res5 halve the space (rounding up); time is kept.</summary>
    public static (long Frames, long Height, long Width) FinalMap(long frames, long height, long width) =>
        X3DConfig.FinalMap(frames, height, width, stages: 4);

    public int[] StageWidths => [.. Enumerable.Range(0, Depths.Count).Select(i => StemWidth * 4 << i)];

    public override Preprocessing Preprocessing => new()
    {
        Frames = Frames,
        Size = CropSize,
        ResizeShortSide = ResizeShortSide,
        Fps = 30,
        FrameStride = SamplingRate,
        Mean = X3DConfig.PyTorchVideoMean,
        Std = X3DConfig.PyTorchVideoStd,
    };

    /// <summary>Training on another clip rebuilds the head pools for it (the weights do not change).</summary>
    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        Frames = frames, CropSize = size, DropoutRate = dropout ?? DropoutRate,
        ResizeShortSide = ResizeShortSide is { } side ? (int)Math.Round(side * (double)size / CropSize) : null,
    };

    /// <summary>True when <paramref name="other"/> has the same tensors (names and shapes); the clip and the recipe aside.</summary>
    public bool SameWeights(SlowFastConfig other) =>
        Depths.SequenceEqual(other.Depths) && StemWidth == other.StemWidth && SlowStemTemporalKernel == other.SlowStemTemporalKernel
        && SlowConvAKernels.SequenceEqual(other.SlowConvAKernels) && FastChannelRatio == other.FastChannelRatio
        && (!HasFast || FastStemTemporalKernel == other.FastStemTemporalKernel && FastConvAKernels.SequenceEqual(other.FastConvAKernels)
            && FusionKernel == other.FusionKernel && FusionChannelRatio == other.FusionChannelRatio);

    public bool SameArchitecture(SlowFastConfig other) =>
        SameWeights(other) && Frames == other.Frames && CropSize == other.CropSize && (!HasFast || Alpha == other.Alpha)
        && BatchNormEpsilon == other.BatchNormEpsilon;

    public void Validate()
    {
        int stages = Depths.Count;
        if (stages == 0) throw new ArgumentException($"{Name}: a ResNet needs at least one stage.");
        if (SlowConvAKernels.Count != stages || HasFast && FastConvAKernels.Count != stages)
            throw new ArgumentException($"{Name}: conv_a kernels need one entry per stage ({stages}).");
        if (Depths.Append(StemWidth).Append(NumClasses).Append(Frames).Append(CropSize).Append(SamplingRate).Append(Alpha).Any(v => v < 1)
            || FastChannelRatio < 0)
            throw new ArgumentException($"{Name}: depths, widths, classes, the clip and α must be positive.");
        if (SlowConvAKernels.Concat(FastConvAKernels).Append(SlowStemTemporalKernel).Append(FastStemTemporalKernel).Append(FusionKernel)
            .Any(k => k < 1 || k % 2 == 0))
            throw new ArgumentException($"{Name}: temporal kernels must be odd (padded k/2 on both sides).");
        if (HasFast && (StemWidth % FastChannelRatio != 0 || StemWidth * FusionChannelRatio % FastChannelRatio != 0))
            throw new ArgumentException($"{Name}: the stem width {StemWidth} must divide by the fast channel ratio {FastChannelRatio}.");
    }
}
