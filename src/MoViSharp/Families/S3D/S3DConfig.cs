using MoViSharp.Layers;
using MoViSharp.Models;

namespace MoViSharp.Families.S3D;

/// <summary>
/// Every knob of an S3D (Xie et al., ECCV 2018; torchvision's <c>s3d</c>) as data: the stem widths, the separable Inception blocks
/// of the three stages (3b–3c, 4b–4f, 5b–5c by default), the head's average pool (fixed, stride 1) and the BatchNorm settings.
/// </summary>
public sealed record S3DConfig : ModelConfig
{
    public override string Family => S3DFamily.FamilyName;

    /// <summary>The separable 7×7×7 stem conv (1×7×7 stride 2, then 7×1×1 stride 2 in time).</summary>
    public int StemChannels { get; init; } = 64;
    /// <summary>The 1×1×1 conv after the first max pool.</summary>
    public int ReduceChannels { get; init; } = 64;
    /// <summary>The separable 3×3×3 conv before the second max pool.</summary>
    public int ConvChannels { get; init; } = 192;

    /// <summary>Every Inception block in order; <see cref="StageBlocks"/> says how many belong to each of the three stages.</summary>
    public IReadOnlyList<InceptionSpec> Inception { get; init; } = Published;
    public IReadOnlyList<int> StageBlocks { get; init; } = [2, 5, 2];

    /// <summary>The head's AvgPool3d kernel (stride 1): torchvision fixes (2,7,7), the final map of a 16×224² clip.</summary>
    public (int Time, int Height, int Width) HeadPool { get; init; } = (2, 7, 7);
    public double DropoutRate { get; init; } = 0.2;
    public double BatchNormEpsilon { get; init; } = 1e-3;
    public double BatchNormMomentum { get; init; } = 1e-3;

    public int NativeFrames { get; init; } = 16;
    public int NativeSize { get; init; } = 224;

    /// <summary>torchvision's published widths (b0, b1 mid, b1, b2 mid, b2, b3) of blocks 3b, 3c, 4b–4f, 5b, 5c.</summary>
    public static readonly IReadOnlyList<InceptionSpec> Published =
    [
        new(64, 96, 128, 16, 32, 32), new(128, 128, 192, 32, 96, 64),
        new(192, 96, 208, 16, 48, 64), new(160, 112, 224, 24, 64, 64), new(128, 128, 256, 24, 64, 64),
        new(112, 144, 288, 32, 64, 64), new(256, 160, 320, 32, 128, 128),
        new(256, 160, 320, 32, 128, 128), new(384, 192, 384, 48, 128, 128),
    ];

    /// <summary>
    /// torchvision's recipe: frames at 15 fps, resized to 256×256 and centre-cropped to 224² (at another crop, in proportion),
    /// Kinetics mean/std. The published accuracy is clip-level on 128 frames; the native clip here is the 16 frames the figures
    /// (parameters, GMACs) are given for.
    /// </summary>
    public override Preprocessing Preprocessing => new()
    {
        Frames = NativeFrames,
        Size = NativeSize,
        ResizeTo = ((int)Math.Round(NativeSize * 256.0 / 224), (int)Math.Round(NativeSize * 256.0 / 224)),
        Fps = 15,
        Mean = [0.43216f, 0.394666f, 0.37645f],
        Std = [0.22803f, 0.22145f, 0.216989f],
    };

    /// <summary>Training clips of another size: the head pool shrinks to the final map when the map is smaller (weights unchanged).</summary>
    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null)
    {
        var (t, h, w) = FinalMap(frames, size);
        return this with
        {
            NativeFrames = frames, NativeSize = size, DropoutRate = dropout ?? DropoutRate,
            HeadPool = (Fit(HeadPool.Time, t), Fit(HeadPool.Height, h), Fit(HeadPool.Width, w)),
        };
    }

    // At least 1, so a clip too small for any window fails in HeadPoolWindow with a clear message.
    private static int Fit(int window, long map) => (int)Math.Max(1, Math.Min(window, map));

    /// <summary>The feature map (T, H, W) before the head for a <paramref name="frames"/>×<paramref name="size"/>² clip.</summary>
    public static (long Time, long Height, long Width) FinalMap(int frames, int size) => FinalMap(frames, size, size);

    /// <summary>The feature map (T, H, W) before the head for a T×H×W clip; 0 where a conv or pool has nothing left to read.</summary>
    public static (long Time, long Height, long Width) FinalMap(long frames, long height, long width)
    {
        static long Out(long n, int k, int s, int p) => n < 1 || n + 2L * p < k ? 0 : PoolingArithmetic.OutputSize(n, k, s, p, ceilMode: false);
        static long Time(long t) => Out(Out(Out(t, 7, 2, 3), 3, 2, 1), 2, 2, 0);                           // stem (7,s2), pool (3,s2), pool (2,s2)
        static long Space(long h) => Out(Out(Out(Out(Out(h, 7, 2, 3), 3, 2, 1), 3, 2, 1), 3, 2, 1), 2, 2, 0);  // stem, three 3×3 s2 pools, 2×2 s2 pool
        return (Time(frames), Space(height), Space(width));
    }

    public bool SameArchitecture(S3DConfig other) =>
        StemChannels == other.StemChannels && ReduceChannels == other.ReduceChannels && ConvChannels == other.ConvChannels
        && Inception.SequenceEqual(other.Inception) && StageBlocks.SequenceEqual(other.StageBlocks) && HeadPool == other.HeadPool
        && BatchNormEpsilon == other.BatchNormEpsilon;

    public void Validate()
    {
        if (StageBlocks.Count != 3 || StageBlocks.Any(b => b < 1))
            throw new ArgumentException($"{Name}: S3D has three stages of Inception blocks (max pools between them), got [{string.Join(", ", StageBlocks)}].");
        if (StageBlocks.Sum() != Inception.Count)
            throw new ArgumentException($"{Name}: the stages hold {StageBlocks.Sum()} Inception blocks but {Inception.Count} are given.");
        if (new[] { StemChannels, ReduceChannels, ConvChannels, NumClasses, HeadPool.Time, HeadPool.Height, HeadPool.Width }.Any(v => v < 1)
            || Inception.Any(s => s.ToList().Any(v => v < 1)))
            throw new ArgumentException($"{Name}: widths, classes and the head pool must be positive.");
    }
}
