using MoViSharp.Data.Synthetic;
using MoViSharp.Families.TinyVideoNets;
using static MoViSharp.Search.OneChoiceMutation;

namespace MoViSharp.Search;

/// <summary>
/// One-choice mutations of a TVN point (TVN's evolution: one parameter of one block, or a global one; the draw is
/// <see cref="OneChoiceMutation"/>'s). Genes: the block
/// count (more blocks repeat the last one, fewer drop blocks from the end), frames, frame stride, image size, and per block
/// filters, spatial type/kernel/stride, temporal type/kernel/stride, expand, skip, squeeze (0 = SE off, or a grid ratio),
/// context gate and repeats.
/// </summary>
public static class TvnMutator
{
    public static (TvnArchitecture Child, string Change) Mutate(TvnSearchSpace space, TvnArchitecture parent, ref SplitMix64 random) =>
        OneChoiceMutation.Draw(Genes(space, parent), space.Name, ref random);

    private static List<Gene<TvnArchitecture>?> Genes(TvnSearchSpace space, TvnArchitecture a)
    {
        var c = space.Block;
        var genes = new List<Gene<TvnArchitecture>?>
        {
            Choice(space.BlockCount.Values, a.Blocks.Count, "blocks", n => a with
            {
                Blocks = n < a.Blocks.Count ? a.Blocks.Take(n).ToList() : [.. a.Blocks, .. Enumerable.Repeat(a.Blocks[^1], n - a.Blocks.Count)],
            }),
            Choice(space.Frames, a.Frames, "frames", v => a with { Frames = v }),
            Choice(space.FrameStrides, a.FrameStride, "frame_stride", v => a with { FrameStride = v }),
            Choice(space.ImageSizes, a.ImageSize, "image_size", v => a with { ImageSize = v }),
        };
        for (int i = 0; i < a.Blocks.Count; i++)
        {
            int bi = i;
            var b = a.Blocks[i];
            TvnArchitecture With(TvnBlockSpec block) => a with { Blocks = a.Blocks.Select((x, k) => k == bi ? block : x).ToList() };
            string n = $"b{i}.";
            genes.Add(Choice(c.Filters.Values, b.Filters, n + "filters", v => With(b with { Filters = v })));
            genes.Add(Choice(c.SpatialTypes, b.Spatial, n + "spatial_type", v => With(b with { Spatial = v }), TvnConfigJson.SpatialName));
            genes.Add(Choice(c.SpatialKernels, b.SpatialKernel, n + "spatial_kernel", v => With(b with { SpatialKernel = v })));
            genes.Add(Choice(c.SpatialStrides, b.SpatialStride, n + "spatial_stride", v => With(b with { SpatialStride = v })));
            genes.Add(Choice(c.TemporalTypes, b.Temporal, n + "temporal_type", v => With(b with { Temporal = v }), TvnConfigJson.TemporalName));
            genes.Add(Choice(c.TemporalKernels, b.TemporalKernel, n + "temporal_kernel", v => With(b with { TemporalKernel = v })));
            genes.Add(Choice(c.TemporalStrides, b.TemporalStride, n + "temporal_stride", v => With(b with { TemporalStride = v })));
            genes.Add(Choice(c.Expand, b.Expand, n + "expand", v => With(b with { Expand = v })));
            genes.Add(Choice(c.Skip, b.Skip, n + "skip", v => With(b with { Skip = v })));
            genes.Add(Choice(c.Squeezes, b.Squeeze, n + "squeeze", v => With(b with { Squeeze = v })));
            genes.Add(Choice(c.ContextGate, b.ContextGate, n + "context_gate", v => With(b with { ContextGate = v })));
            genes.Add(Choice(c.Repeats.Values, b.Repeats, n + "repeats", v => With(b with { Repeats = v })));
        }
        return genes;
    }
}
