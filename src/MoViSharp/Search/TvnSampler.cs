using MoViSharp.Data.Synthetic;
using MoViSharp.Families.TinyVideoNets;

namespace MoViSharp.Search;

/// <summary>
/// Uniformly random points of a <see cref="TvnSearchSpace"/>: the block count, then every choice of every block and of the clip
/// independently; SE is on or off with equal odds (when both are allowed), then its ratio uniform on the grid.
/// </summary>
public static class TvnSampler
{
    public static TvnArchitecture Sample(TvnSearchSpace space, ref SplitMix64 random)
    {
        var c = space.Block;
        int count = Pick(space.BlockCount.Values, ref random);
        var blocks = new List<TvnBlockSpec>();
        var ratios = c.Squeezes.Where(s => s > 0).ToList();
        for (int b = 0; b < count; b++)
        {
            int filters = Pick(c.Filters.Values, ref random);
            var spatial = Pick(c.SpatialTypes, ref random);
            int spatialKernel = Pick(c.SpatialKernels, ref random), spatialStride = Pick(c.SpatialStrides, ref random);
            var temporal = Pick(c.TemporalTypes, ref random);
            int temporalKernel = Pick(c.TemporalKernels, ref random), temporalStride = Pick(c.TemporalStrides, ref random);
            int repeats = Pick(c.Repeats.Values, ref random), expand = Pick(c.Expand, ref random);
            double squeeze = Pick(c.SqueezeExcitation, ref random) ? Pick(ratios, ref random) : 0;
            bool skip = Pick(c.Skip, ref random), gate = Pick(c.ContextGate, ref random);
            blocks.Add(new TvnBlockSpec(filters, spatial, spatialKernel, spatialStride, temporal, temporalKernel, temporalStride, repeats, expand, squeeze, skip, gate));
        }
        return new TvnArchitecture(blocks, Pick(space.Frames, ref random), Pick(space.FrameStrides, ref random), Pick(space.ImageSizes, ref random));
    }

    private static T Pick<T>(IReadOnlyList<T> choices, ref SplitMix64 random) => ArchitectureSampler.Pick(choices, ref random);
}
