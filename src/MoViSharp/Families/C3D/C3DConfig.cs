using MoViSharp.Layers;
using MoViSharp.Models;

namespace MoViSharp.Families.C3D;

/// <summary>
/// Every knob of C3D (Tran et al., ICCV 2015; the Sports-1M PyTorch conversion) as data: five stages of 3×3×3 convs (with bias,
/// ReLU, no BatchNorm) each ended by a max pool, then fc6, fc7 (ReLU, dropout) and fc8. fc6 reads the flattened pool5 map, so
/// the clip the model was built for (<see cref="NativeFrames"/>×<see cref="NativeSize"/>², 16×112²) fixes its input.
/// </summary>
public sealed record C3DConfig : ModelConfig
{
    public override string Family => C3DFamily.FamilyName;

    /// <summary>Conv widths per stage (conv1; conv2; conv3a, conv3b; conv4a, conv4b; conv5a, conv5b).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Stages { get; init; } = [[64], [128], [256, 256], [512, 512], [512, 512]];
    /// <summary>Widths of fc6 and fc7.</summary>
    public IReadOnlyList<int> FullyConnected { get; init; } = [4096, 4096];
    public double DropoutRate { get; init; } = 0.5;

    public int NativeFrames { get; init; } = 16;
    public int NativeSize { get; init; } = 112;

    /// <summary>
    /// The conversion's recipe (its predict.py): 16 consecutive frames, each resized to 112×200 (H×W) and centre-cropped to 112²
    /// (columns 44…155), RGB values 0…255, no mean subtraction. At another crop size the resize keeps the ratio.
    /// </summary>
    public override Preprocessing Preprocessing => new()
    {
        Frames = NativeFrames,
        Size = NativeSize,
        ResizeTo = (NativeSize, (int)Math.Round(NativeSize * 200.0 / 112)),
        ValueScale = 255f,
    };

    /// <summary>Training clips of another size change pool5's map and with it fc6's shape (a fresh fc6 unless the map stays).</summary>
    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) => this with
    {
        NativeFrames = frames, NativeSize = size, DropoutRate = dropout ?? DropoutRate,
    };

    /// <summary>pool5's output map (T, H, W) for the native clip: what fc6 reads, flattened with the channels (C, T, H, W).</summary>
    public (int Time, int Height, int Width) FeatureMap => MapFor(NativeFrames, NativeSize);

    /// <summary>pool5's map for a <paramref name="frames"/>×<paramref name="size"/>² clip (3×3×3 convs keep sizes; pools as in <see cref="C3DNet"/>).</summary>
    public static (int Time, int Height, int Width) MapFor(int frames, int size) => MapFor(frames, size, size);

    /// <summary>pool5's map for a T×H×W clip; a dimension the pools reduce to nothing is 0.</summary>
    public static (int Time, int Height, int Width) MapFor(long frames, long height, long width)
    {
        long t = frames, h = height, w = width;
        for (int stage = 1; stage <= 5; stage++)
        {
            var (kernel, padding) = Pool(stage);
            t = Reduce(t, kernel.Time, padding.Time);
            h = Reduce(h, kernel.Height, padding.Height);
            w = Reduce(w, kernel.Width, padding.Width);
        }
        return ((int)t, (int)h, (int)w);

        static long Reduce(long n, int kernel, int padding) =>
            n < 1 || n + 2L * padding < kernel ? 0 : PoolingArithmetic.OutputSize(n, kernel, kernel, padding, ceilMode: false);
    }

    /// <summary>The max pool ending <paramref name="stage"/> (1…5): pool1 1×2×2, pool2–4 2×2×2, pool5 2×2×2 with spatial padding 1.</summary>
    public static ((int Time, int Height, int Width) Kernel, (int Time, int Height, int Width) Padding) Pool(int stage) => stage switch
    {
        1 => ((1, 2, 2), (0, 0, 0)),
        5 => ((2, 2, 2), (0, 1, 1)),
        _ => ((2, 2, 2), (0, 0, 0)),
    };

    /// <summary>The conversion's module names: conv1, conv2, conv3a, conv3b, …</summary>
    public static string ConvName(int stage, int index, int count) => count == 1 ? $"conv{stage}" : $"conv{stage}{(char)('a' + index)}";

    public bool SameArchitecture(C3DConfig other) =>
        Stages.Count == other.Stages.Count && Stages.Zip(other.Stages).All(p => p.First.SequenceEqual(p.Second))
        && FullyConnected.SequenceEqual(other.FullyConnected) && FeatureMap == other.FeatureMap;

    public void Validate()
    {
        if (Stages.Count != 5 || Stages.Any(s => s.Count is < 1 or > 26))
            throw new ArgumentException($"{Name}: C3D has five stages of convs (each ended by a max pool), got {Stages.Count}.");
        if (FullyConnected.Count != 2) throw new ArgumentException($"{Name}: C3D has two hidden fully connected layers (fc6, fc7), got {FullyConnected.Count}.");
        if (Stages.SelectMany(s => s).Concat(FullyConnected).Append(NumClasses).Any(v => v < 1))
            throw new ArgumentException($"{Name}: widths and classes must be positive.");
        var (t, h, w) = FeatureMap;
        if (t < 1 || h < 1 || w < 1)
            throw new ArgumentException($"{Name}: a {NativeFrames}×{NativeSize}² clip leaves no pool5 map (C3D needs at least 16 frames of 16²).");
    }
}
