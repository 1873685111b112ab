using MoViSharp.Families.TSM;
using MoViSharp.Models;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// Every knob of bLVNet-TAM (Fan, Chen, Kuehne, Pistoia, Cox; NeurIPS 2019; IBM/bLVNet-TAM) as data: a bLResNet whose stem and
/// layers 1–3 run a deep "big" branch at half resolution on the odd frames and a thin "little" branch (width ÷ α, depth from β)
/// on the even frames, merged pairwise; temporal aggregation modules (TAM) mix neighbouring frames; layer4 runs on the odd
/// frames only; per-frame logits are averaged. "f8×2" = <see cref="Frames"/> 16.
/// </summary>
public sealed record BlvnetConfig : ModelConfig
{
    public override string Family => BlvnetFamily.FamilyName;

    /// <summary>Bottlenecks per layer (ResNet-50: [3, 4, 6, 3]); layers 1–3 use blocks − 1 in the big branch plus one fusion block.</summary>
    public IReadOnlyList<int> Layers { get; init; } = [3, 4, 6, 3];
    /// <summary>The little branch's width divisor.</summary>
    public int Alpha { get; init; } = 2;
    /// <summary>The little branch's depth divisor: max(1, blocks / β − 1) bottlenecks.</summary>
    public int Beta { get; init; } = 4;

    /// <summary>Frames of a clip (2 × the "f" of f8×2): big = odd frames, little = even frames.</summary>
    public int Frames { get; init; } = 16;
    public int NativeSize { get; init; } = 224;

    public double DropoutRate { get; init; } = 0.5;
    public double BatchNormEpsilon { get; init; } = 1e-5;
    public double BatchNormMomentum { get; init; } = 0.1;

    /// <summary>The layers' output widths (bLVNet fixes 64/128/256/512 × 4).</summary>
    public static readonly IReadOnlyList<int> Widths = [256, 512, 1024, 2048];
    public const int StemChannels = 64;

    /// <summary>Little-branch blocks of a layer with <paramref name="blocks"/> bottlenecks.</summary>
    public int LittleBlocks(int blocks) => Math.Max(1, blocks / Beta - 1);

    /// <summary>
    /// The test recipe as the README's commands run test.py (--disable_scaleup): short side resized to the crop (224; without the
    /// flag it would be 256), centre crop 224, ImageNet mean/std, one frame from each of the 16 segments.
    /// </summary>
    public override Preprocessing Preprocessing => new()
    {
        Frames = Frames,
        Size = NativeSize,
        ResizeShortSide = NativeSize,
        Mean = TsmConfig.ImageNetMean,
        Std = TsmConfig.ImageNetStd,
    };

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        Frames = frames, NativeSize = size, DropoutRate = dropout ?? DropoutRate,
    };

    public bool SameWeights(BlvnetConfig other) => Layers.SequenceEqual(other.Layers) && Alpha == other.Alpha
        && Layers.Take(3).All(b => LittleBlocks(b) == other.LittleBlocks(b));

    public void Validate()
    {
        if (Layers.Count != 4 || Layers.Take(3).Any(b => b < 2) || Layers[3] < 1)
            throw new ArgumentException($"{Name}: bLVNet has four layers, the first three with at least 2 bottlenecks (got [{string.Join(", ", Layers)}]).");
        if (Alpha < 1 || StemChannels % Alpha != 0 || Beta < 1)
            throw new ArgumentException($"{Name}: α must divide the stem's 64 channels and β be positive (got α {Alpha}, β {Beta}).");
        if (Frames < 2 || Frames % 2 != 0)
            throw new ArgumentException($"{Name}: bLVNet pairs a little (even) with a big (odd) frame, so the clip needs an even number of frames, got {Frames}.");
        if (NumClasses < 1 || NativeSize < 1) throw new ArgumentException($"{Name}: classes and size must be positive.");
    }
}
