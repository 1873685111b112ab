namespace MoViSharp.Search;

/// <summary>
/// Compound scaling of a base point (how MoViNet A0–A5 came from the searched base, movinet.md §5): every width times a width
/// multiplier (as a multiple of the space's width step, expansions keeping their ratios), every block's depth times a depth
/// multiplier (rounded up, extra layers repeating the block's last), and the input's resolution, frames and frame stride
/// set directly. The result is clamped into nothing: callers check it against their space.
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

    public override string ToString() => $"width ×{Width:0.###}, depth ×{Depth:0.###}, {Frames}×{Resolution}² stride {FrameStride}";
}
