using MoViSharp.Search;

namespace MoViSharp.Tests.Search;

/// <summary>Small spaces whose points build and run in milliseconds.</summary>
internal static class SearchTestSpaces
{
    /// <summary>Every kernel and both causalities, tiny widths, 32² inputs of 4 frames.</summary>
    public static MoViNetSearchSpace Tiny { get; } = new()
    {
        Name = "tiny",
        StemBaseWidth = 8,
        Blocks = [new(8, 2), new(16, 2), new(16, 2), new(16, 1), new(24, 2)],
        HeadBaseWidth = 32,
        WidthMultiplier = new(0.5, 1.5),
        DepthMin = 1,
        DepthMax = 2,
        ExpansionRatio = new(1.0, 3.0),
        Hidden = [32],
        Frames = [4],
        FrameStrides = [1, 2],
        Resolutions = [32],
    };

    /// <summary>
    /// A TVN space whose points have 1–3 blocks of 4–12 filters: every op type, kernels and strides of 1–3 (strides above kernels
    /// included), SE on a 0.25 grid, 2 or 4 frames at 16² or 24².
    /// </summary>
    public static TvnSearchSpace TinyTvn { get; } = new()
    {
        Name = "tiny-tvn",
        BlockCount = new(1, 3),
        Block = new TvnBlockChoices
        {
            SpatialKernels = [1, 2, 3],
            SpatialStrides = [1, 2, 3],
            TemporalKernels = [1, 2, 3],
            TemporalStrides = [1, 2],
            Filters = new(4, 12, 4),
            Expand = [1, 2],
            SqueezeRatio = new(0.25, 1.0),
            SqueezeStep = 0.25,
            Repeats = new(1, 3),
        },
        Frames = [2, 4],
        FrameStrides = [1, 2],
        ImageSizes = [16, 24],
    };
}
