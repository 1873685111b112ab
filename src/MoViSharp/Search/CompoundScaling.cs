namespace MoViSharp.Search;

/// <summary>
/// Compound scaling of a base point (how MoViNet A0–A5 came from the searched base, movinet.md §5): every width times a width
/// multiplier (as a multiple of the space's width step, expansions keeping their ratios), every block's depth times a depth
/// multiplier (rounded up, extra layers repeating the block's last), and the input's resolution, frames and frame stride
/// set directly. A TVN point scales the same way: filters by the width multiplier (a multiple of the filter step), repeats by
/// the depth multiplier (rounded up), image size, frames and frame stride set. The result is clamped into nothing: callers
/// check it against their space.
/// </summary>
public sealed record CompoundScaling(double Width, double Depth, int Resolution, int Frames, int FrameStride)
{
    public MoViNetArchitecture Apply(MoViNetArchitecture a, int widthStep = 8)
    {
        int W(int channels) => Math.Max(widthStep, (int)Math.Round(channels * Width / widthStep, MidpointRounding.AwayFromZero) * widthStep);
        return a with
        {
            Stem = W(a.Stem),
            Head = W(a.Head),
            Blocks = a.Blocks.Select(b =>
            {
                int depth = Math.Max(1, (int)Math.Ceiling(b.Layers.Count * Depth - 1e-9));
                var layers = b.Layers.Take(depth).Concat(Enumerable.Repeat(b.Layers[^1], Math.Max(0, depth - b.Layers.Count)));
                return new SearchedBlock(W(b.Width), layers.Select(l => l with { Expand = W(l.Expand) }).ToList());
            }).ToList(),
            Resolution = Resolution,
            Frames = Frames,
            FrameStride = FrameStride,
        };
    }

    public TvnArchitecture Apply(TvnArchitecture a, int filterStep = 4) => a with
    {
        Blocks = a.Blocks.Select(b => b with
        {
            Filters = Math.Max(filterStep, (int)Math.Round(b.Filters * Width / filterStep, MidpointRounding.AwayFromZero) * filterStep),
            Repeats = Math.Max(1, (int)Math.Ceiling(b.Repeats * Depth - 1e-9)),
        }).ToList(),
        ImageSize = Resolution,
        Frames = Frames,
        FrameStride = FrameStride,
    };

    public override string ToString() => $"width ×{Width:0.###}, depth ×{Depth:0.###}, {Frames}×{Resolution}² stride {FrameStride}";
}
