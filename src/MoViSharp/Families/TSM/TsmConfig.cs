using MoViSharp.Layers;
using MoViSharp.Models;

namespace MoViSharp.Families.TSM;

/// <summary>
/// Every knob of a TSM network (Lin, Gan, Han, ICCV 2019; mit-han-lab/temporal-shift-module's <c>TSN</c> with
/// <c>is_shift=True, shift_place='blockres'</c>) as data: the 2-D backbone run on every frame, the residual temporal shift
/// (1/<see cref="ShiftDivisor"/> of the channels each way, or one way online), a per-frame classifier and the average consensus
/// over the frames. The online variant (<see cref="TemporalShiftMode.Online"/>) emits one prediction per frame instead.
/// </summary>
public sealed record TsmConfig : ModelConfig
{
    public override string Family => TsmFamily.FamilyName;

    public required TsmBackbone Backbone { get; init; }

    /// <summary>False builds the plain TSN baseline (no shift).</summary>
    public bool Shift { get; init; } = true;
    public TemporalShiftMode ShiftMode { get; init; } = TemporalShiftMode.Bidirectional;
    /// <summary>TSM's shift_div: fold = C / 8 channels move each way.</summary>
    public int ShiftDivisor { get; init; } = 8;

    /// <summary>ResNet: bottleneck blocks per layer (ResNet-50 [3, 4, 6, 3]) and each layer's bottleneck width (×4 out).</summary>
    public IReadOnlyList<int> Blocks { get; init; } = [3, 4, 6, 3];
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256, 512];
    /// <summary>The stem's width (ResNet 64, MobileNetV2 32).</summary>
    public int StemChannels { get; init; } = 64;

    /// <summary>MobileNetV2: the inverted-residual table (channels already rounded for the width multiplier) and the last 1×1 conv's width.</summary>
    public IReadOnlyList<MobileStage> Stages { get; init; } = MobileNetV2Stages;
    public int LastChannels { get; init; } = 1280;

    /// <summary>Dropout before the per-frame classifier (TSM's main.py: 0.5; training only).</summary>
    public double DropoutRate { get; init; } = 0.5;
    public double BatchNormEpsilon { get; init; } = 1e-5;
    public double BatchNormMomentum { get; init; } = 0.1;

    /// <summary>Segments (frames) and crop of the recipe.</summary>
    public int Segments { get; init; } = 8;
    public int NativeSize { get; init; } = 224;
    /// <summary>Frames between two segments: the Kinetics release models sample densely, 8 frames 8 apart.</summary>
    public int FrameStride { get; init; } = 8;

    public bool Online => Shift && ShiftMode == TemporalShiftMode.Online;

    /// <summary>MobileNetV2 at width 1.0 (t, c, n, s).</summary>
    public static readonly IReadOnlyList<MobileStage> MobileNetV2Stages =
    [
        new(1, 16, 1, 1), new(6, 24, 2, 2), new(6, 32, 3, 2), new(6, 64, 4, 2), new(6, 96, 3, 1), new(6, 160, 3, 2), new(6, 320, 1, 1),
    ];

    /// <summary>MobileNetV2's table at another width multiplier (TSM's rule: expanding stages round c·w up to a multiple of 8).</summary>
    public static IReadOnlyList<MobileStage> MobileNetV2StagesAt(double widthMultiplier) =>
        [.. MobileNetV2Stages.Select(s => s.Expansion > 1 ? s with { Channels = (int)Math.Ceiling(s.Channels * widthMultiplier / 8) * 8 } : s)];

    public static readonly IReadOnlyList<float> ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly IReadOnlyList<float> ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>TSM's test recipe: short side 256 (GroupScale), centre 224, ImageNet mean/std, 8 segments.</summary>
    public override Preprocessing Preprocessing => new()
    {
        Frames = Segments,
        Size = NativeSize,
        ResizeShortSide = (int)Math.Round(NativeSize * 256.0 / 224),
        FrameStride = FrameStride,
        Mean = ImageNetMean,
        Std = ImageNetStd,
    };

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        Segments = frames, NativeSize = size, DropoutRate = dropout ?? DropoutRate,
    };

    /// <summary>The width of the features the classifier reads.</summary>
    public int FeatureChannels => Backbone == TsmBackbone.ResNet ? Widths[^1] * 4 : LastChannels;

    /// <summary>True when <paramref name="other"/> builds the same tensors (names, classes, recipe and shift mode aside).</summary>
    public bool SameWeights(TsmConfig other) =>
        Backbone == other.Backbone && Shift == other.Shift && StemChannels == other.StemChannels
        && (Backbone == TsmBackbone.ResNet
            ? Blocks.SequenceEqual(other.Blocks) && Widths.SequenceEqual(other.Widths)
            : Stages.SequenceEqual(other.Stages) && LastChannels == other.LastChannels);

    public void Validate()
    {
        if (ShiftDivisor < 2) throw new ArgumentException($"{Name}: the shift divisor must be at least 2, got {ShiftDivisor}.");
        if (NumClasses < 1 || StemChannels < 1 || Segments < 1 || NativeSize < 1 || FrameStride < 1)
            throw new ArgumentException($"{Name}: classes, stem width, segments, size and frame stride must be positive.");
        if (Backbone == TsmBackbone.ResNet)
        {
            if (Blocks.Count == 0 || Blocks.Count != Widths.Count)
                throw new ArgumentException($"{Name}: a ResNet needs one width per layer (got {Blocks.Count} layers, {Widths.Count} widths).");
            if (Blocks.Concat(Widths).Any(v => v < 1)) throw new ArgumentException($"{Name}: blocks and widths must be positive.");
        }
        else
        {
            if (Stages.Count == 0) throw new ArgumentException($"{Name}: MobileNetV2 needs at least one stage.");
            if (Stages.Any(s => s.Expansion < 1 || s.Channels < 1 || s.Repeats < 1 || s.Stride is not (1 or 2)))
                throw new ArgumentException($"{Name}: every MobileNetV2 stage needs positive t, c, n and a stride of 1 or 2.");
            if (LastChannels < 1) throw new ArgumentException($"{Name}: the last conv's width must be positive.");
        }
    }
}
