namespace MoViSharp.Search;

/// <summary>
/// A space whose points compound scaling can grow and shrink (`movisharp scale`): the multipliers act on the widths and depths
/// the family has (MoViNet: block widths and layers; TVN: filters and repeats), the input axes are set directly.
/// </summary>
public interface IScalableSearchSpace : ISearchSpace
{
    /// <summary>
    /// The space scaled variants of <paramref name="basePoint"/> live in: this one with its width and depth ranges opened and
    /// the base's own choices admitted (a scaled point keeps the base's ops, which a narrowed space may not list).
    /// </summary>
    ISearchSpace ScalingSpace(ISearchPoint basePoint);

    /// <summary><paramref name="basePoint"/> scaled by <paramref name="scaling"/> (widths rounded to this space's step).</summary>
    ISearchPoint Scale(ISearchPoint basePoint, CompoundScaling scaling);

    /// <summary>The input axes compound scaling draws from: resolutions (image sizes), frames and frame strides of this space.</summary>
    (IReadOnlyList<int> Resolutions, IReadOnlyList<int> Frames, IReadOnlyList<int> FrameStrides) InputAxes { get; }
}
