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
}
