using MoViSharp.Data.Synthetic;

namespace MoViSharp.Search;

/// <summary>Uniformly random points of a <see cref="MoViNetSearchSpace"/> (every choice independent; depth uniform in its range).</summary>
public static class ArchitectureSampler
{
    public static MoViNetArchitecture Sample(MoViNetSearchSpace space, ref SplitMix64 random)
    {
        int stem = Pick(space.Widths(space.StemBaseWidth), ref random);
        var blocks = new List<SearchedBlock>();
        foreach (var slot in space.Blocks)
        {
            int width = Pick(space.Widths(slot.BaseWidth), ref random);
            int depth = space.DepthMin + random.NextInt(space.DepthMax - space.DepthMin + 1);
            var expansions = space.Expansions(width);
            var layers = new List<SearchedLayer>();
            for (int l = 0; l < depth; l++)
            {
                var (kt, k) = Pick(space.Kernels, ref random);
                layers.Add(new SearchedLayer(Pick(expansions, ref random), kt, k));
            }
            blocks.Add(new SearchedBlock(width, layers));
        }
        return new MoViNetArchitecture(stem, blocks, Pick(space.Widths(space.HeadBaseWidth), ref random), Pick(space.Hidden, ref random),
            Pick(space.SqueezeExcitation, ref random), Pick(space.Causal, ref random), Pick(space.Frames, ref random),
            Pick(space.FrameStrides, ref random), Pick(space.Resolutions, ref random));
    }

    public static T Pick<T>(IReadOnlyList<T> choices, ref SplitMix64 random) => choices[random.NextInt(choices.Count)];
}
