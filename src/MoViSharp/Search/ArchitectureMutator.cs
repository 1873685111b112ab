using MoViSharp.Data.Synthetic;
using static MoViSharp.Search.OneChoiceMutation;

namespace MoViSharp.Search;

/// <summary>
/// Mutations of a MoViNet point that change exactly one choice (the draw is <see cref="OneChoiceMutation"/>'s). A block's
/// depth grows by repeating its last layer and shrinks by dropping layers from the end; a block's new width rescales its
/// layers' expansions to keep their ratios (rounded into the allowed range), since expansions are stored in channels.
/// </summary>
public static class ArchitectureMutator
{
    /// <summary>The mutated point and a description of the change (e.g. "b2.l1.kernel 3x3x3→1x5x5").</summary>
    public static (MoViNetArchitecture Child, string Change) Mutate(MoViNetSearchSpace space, MoViNetArchitecture parent, ref SplitMix64 random) =>
        OneChoiceMutation.Draw(Genes(space, parent), space.Name, ref random);

    private static List<Gene<MoViNetArchitecture>?> Genes(MoViNetSearchSpace space, MoViNetArchitecture a)
    {
        var genes = new List<Gene<MoViNetArchitecture>?>
        {
            Choice(space.Widths(space.StemBaseWidth), a.Stem, "stem", v => a with { Stem = v }),
        };
        for (int b = 0; b < a.Blocks.Count; b++)
        {
            int bi = b;
            var block = a.Blocks[b];
            genes.Add(Choice(space.Widths(space.Blocks[b].BaseWidth), block.Width, $"b{b}.width", v => WithBlock(a, bi, Rescale(space, block, v))));
            var depths = Enumerable.Range(space.DepthMin, space.DepthMax - space.DepthMin + 1).ToList();
            genes.Add(Choice(depths, block.Layers.Count, $"b{b}.depth", v => WithBlock(a, bi, block with
            {
                Layers = v < block.Layers.Count ? block.Layers.Take(v).ToList() : [.. block.Layers, .. Enumerable.Repeat(block.Layers[^1], v - block.Layers.Count)],
            })));
            var expansions = space.Expansions(block.Width);
            for (int l = 0; l < block.Layers.Count; l++)
            {
                int li = l;
                var layer = block.Layers[l];
                genes.Add(Choice(space.Kernels, (layer.KernelTime, layer.KernelSize), $"b{b}.l{l}.kernel",
                    k => WithLayer(a, bi, li, layer with { KernelTime = k.Item1, KernelSize = k.Item2 }), k => KernelChoice.Format(k.Item1, k.Item2)));
                genes.Add(Choice(expansions, layer.Expand, $"b{b}.l{l}.expand", v => WithLayer(a, bi, li, layer with { Expand = v })));
            }
        }
        genes.Add(Choice(space.Widths(space.HeadBaseWidth), a.Head, "head", v => a with { Head = v }));
        genes.Add(Choice(space.Hidden, a.Hidden, "hidden", v => a with { Hidden = v }));
        genes.Add(Choice(space.SqueezeExcitation, a.SqueezeExcitation, "se", v => a with { SqueezeExcitation = v }));
        genes.Add(Choice(space.Causal, a.Causal, "causal", v => a with { Causal = v }));
        genes.Add(Choice(space.Frames, a.Frames, "frames", v => a with { Frames = v }));
        genes.Add(Choice(space.FrameStrides, a.FrameStride, "frame_stride", v => a with { FrameStride = v }));
        genes.Add(Choice(space.Resolutions, a.Resolution, "resolution", v => a with { Resolution = v }));
        return genes;
    }

    private static SearchedBlock Rescale(MoViNetSearchSpace space, SearchedBlock block, int width)
    {
        var allowed = space.Expansions(width);
        return new SearchedBlock(width, block.Layers.Select(l =>
        {
            double wanted = (double)l.Expand * width / block.Width;
            return l with { Expand = allowed.MinBy(e => Math.Abs(e - wanted)) };
        }).ToList());
    }

    private static MoViNetArchitecture WithBlock(MoViNetArchitecture a, int b, SearchedBlock block) =>
        a with { Blocks = a.Blocks.Select((x, i) => i == b ? block : x).ToList() };

    private static MoViNetArchitecture WithLayer(MoViNetArchitecture a, int b, int l, SearchedLayer layer) =>
        WithBlock(a, b, a.Blocks[b] with { Layers = a.Blocks[b].Layers.Select((x, i) => i == l ? layer : x).ToList() });
}
