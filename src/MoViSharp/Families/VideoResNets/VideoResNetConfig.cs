using MoViSharp.Models;

namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// Every knob of a torchvision-style video ResNet (R3D, MC3, R(2+1)D; Tran et al., CVPR 2018) as data: the stem, and per layer its
/// width, number of BasicBlocks, stride and convolution kind. Builders (<see cref="VideoResNet"/>) are functions of this record.
/// </summary>
public sealed record VideoResNetConfig : ModelConfig
{
    public override string Family => VideoResNetFamily.FamilyName;

    public required VideoResNetStem Stem { get; init; }
    public int StemChannels { get; init; } = 64;
    /// <summary>The (2+1)D stem's middle width (a fixed 45 in torchvision, not the mid-channel formula).</summary>
    public int StemMidChannels { get; init; } = 45;

    /// <summary>The convolution of each layer's blocks; one entry per layer.</summary>
    public required IReadOnlyList<ResNetConvKind> ConvKinds { get; init; }
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256, 512];
    public IReadOnlyList<int> Blocks { get; init; } = [2, 2, 2, 2];
    /// <summary>Each layer's stride (its first block): spatial, and temporal too unless the layer's conv has no temporal kernel.</summary>
    public IReadOnlyList<int> Strides { get; init; } = [1, 2, 2, 2];

    /// <summary>Dropout before the classifier (training only; torchvision's models have none).</summary>
    public double DropoutRate { get; init; }
    public double BatchNormEpsilon { get; init; } = 1e-5;
    /// <summary>PyTorch convention (torchvision's default 0.1).</summary>
    public double BatchNormMomentum { get; init; } = 0.1;

    /// <summary>The clip the weights were trained and evaluated on (frames, square crop).</summary>
    public int NativeFrames { get; init; } = 16;
    public int NativeSize { get; init; } = 112;

    /// <summary>
    /// torchvision's video recipe: clips of 16 frames at 15 fps, every frame resized to 128×171 (H×W) and centre-cropped to 112²,
    /// Kinetics mean/std. At another crop size the resize keeps the recipe's ratios.
    /// </summary>
    public override Preprocessing Preprocessing => new()
    {
        Frames = NativeFrames,
        Size = NativeSize,
        ResizeTo = ((int)Math.Round(NativeSize * 128.0 / 112), (int)Math.Round(NativeSize * 171.0 / 112)),
        Fps = 15,
        Mean = KineticsMean,
        Std = KineticsStd,
    };

    /// <summary>torchvision's Kinetics-400 statistics for its video models.</summary>
    public static readonly IReadOnlyList<float> KineticsMean = [0.43216f, 0.394666f, 0.37645f];
    public static readonly IReadOnlyList<float> KineticsStd = [0.22803f, 0.22145f, 0.216989f];

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        NativeFrames = frames, NativeSize = size, DropoutRate = dropout ?? DropoutRate,
    };

    /// <summary>True when <paramref name="other"/> builds the same tensors and computation (names, classes and training knobs aside).</summary>
    public bool SameArchitecture(VideoResNetConfig other) =>
        Stem == other.Stem && StemChannels == other.StemChannels && (Stem == VideoResNetStem.Basic || StemMidChannels == other.StemMidChannels)
        && ConvKinds.SequenceEqual(other.ConvKinds) && Widths.SequenceEqual(other.Widths) && Blocks.SequenceEqual(other.Blocks)
        && Strides.SequenceEqual(other.Strides) && BatchNormEpsilon == other.BatchNormEpsilon;

    /// <summary>Throws unless every per-layer list has one entry per layer and every number is positive.</summary>
    public void Validate()
    {
        int layers = ConvKinds.Count;
        if (layers == 0) throw new ArgumentException($"{Name}: a video ResNet needs at least one layer.");
        if (Widths.Count != layers || Blocks.Count != layers || Strides.Count != layers)
            throw new ArgumentException($"{Name}: convs, widths, blocks and strides need one entry per layer " +
                $"(got {layers}, {Widths.Count}, {Blocks.Count}, {Strides.Count}).");
        if (Widths.Concat(Blocks).Concat(Strides).Append(StemChannels).Append(StemMidChannels).Append(NumClasses).Any(v => v < 1))
            throw new ArgumentException($"{Name}: widths, blocks, strides, stem widths and classes must be positive.");
    }
}
