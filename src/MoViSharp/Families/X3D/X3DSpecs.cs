namespace MoViSharp.Families.X3D;

/// <summary>
/// The published X3D sizes as PyTorchVideo's hub builds them (<c>x3d_xs</c> … <c>x3d_l</c>: width factor 2.0, depth factor 2.2,
/// L 5.0; clips 4×160², 13×160², 16×224², 16×312²), and X3D-XL from the paper's table (width 2.9, depth 5.0, 16×312²; no
/// released weights). The widths and depths follow PyTorchVideo's rounding rules (docs/zoo-reference.md §4.3).
/// </summary>
public static class X3DSpecs
{
    public static readonly IReadOnlyList<string> Names = ["x3d_xs", "x3d_s", "x3d_m", "x3d_l", "x3d_xl"];

    public static X3DConfig Get(string name) => name switch
    {
        "x3d_xs" => FromFactors(name, 2.0, 2.2, frames: 4, crop: 160) with { SamplingRate = 12, ResizeShortSide = 182 },
        "x3d_s" => FromFactors(name, 2.0, 2.2, frames: 13, crop: 160) with { SamplingRate = 6, ResizeShortSide = 182 },
        "x3d_m" => FromFactors(name, 2.0, 2.2, frames: 16, crop: 224) with { SamplingRate = 5, ResizeShortSide = 256 },
        "x3d_l" => FromFactors(name, 2.0, 5.0, frames: 16, crop: 312) with { SamplingRate = 5, ResizeShortSide = 356 },
        "x3d_xl" => FromFactors(name, 2.9, 5.0, frames: 16, crop: 312) with { SamplingRate = 5, ResizeShortSide = 356 },
        _ => throw new ArgumentException($"Unknown X3D '{name}' (known: {string.Join(", ", Names)})."),
    };

    /// <summary>
    /// PyTorchVideo's <c>create_x3d</c> widths and depths: stem round_width(12, γw); stage bases 12, 24, 48, 96 (each the last
    /// doubled and rounded), times γw and rounded; bottleneck ⌊2.25·width⌋; depths ⌈γd·[1, 2, 5, 3]⌉; SE squeeze
    /// round_width(inner, 1/16); the head's pre-pool conv as wide as the last bottleneck, 2048 after the pool.
    /// </summary>
    public static X3DConfig FromFactors(string name, double widthFactor, double depthFactor, int frames, int crop, int classes = 400,
        int stemBase = 12, double bottleneckFactor = 2.25, double seRatio = 0.0625, int headWidth = 2048)
    {
        int[] bases = new int[4];
        bases[0] = stemBase;
        for (int i = 1; i < 4; i++) bases[i] = RoundWidth(bases[i - 1], 2.0);
        int[] widths = [.. bases.Select(b => RoundWidth(b, widthFactor))];
        int[] inner = [.. widths.Select(w => (int)(bottleneckFactor * w))];
        int[] baseDepths = [1, 2, 5, 3];
        return new X3DConfig
        {
            Name = name, NumClasses = classes, Frames = frames, CropSize = crop,
            StemWidth = RoundWidth(stemBase, widthFactor),
            StageWidths = widths,
            InnerWidths = inner,
            Depths = [.. baseDepths.Select(d => (int)Math.Ceiling(depthFactor * d))],
            SeWidths = seRatio > 0 ? [.. inner.Select(i => RoundWidth(i, seRatio))] : [0, 0, 0, 0],
            HeadInnerWidth = inner[^1],
            HeadWidth = headWidth,
        };
    }

    /// <summary>
    /// PyTorchVideo's round_width: w·m to the nearest multiple of 8 (at least 8), plus 8 when that is more than 10 % below w·m.
    /// </summary>
    public static int RoundWidth(int width, double multiplier, int divisor = 8)
    {
        double scaled = width * multiplier;
        int rounded = Math.Max(divisor, (int)(scaled + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * scaled ? rounded + divisor : rounded;
    }
}
