namespace MoViSharp.Search;

/// <summary>One categorical decision of the one-shot search (e.g. "b2_l1 kernel") and the labels of its choices.</summary>
public sealed record OneShotDecision(string Name, IReadOnlyList<string> Choices)
{
    public int Count => Choices.Count;
}

/// <summary>
/// The part of a <see cref="MoViNetSearchSpace"/> the one-shot supernet searches (TuNAS searched per-layer ops and depth on a
/// fixed macro skeleton too): per block its depth, per layer its depthwise kernel and expansion width. Everything else is
/// fixed to one point of the space: stem, block and head widths to the width nearest the base width (multiplier 1), expansions
/// to at most <c>expansionChoices</c> evenly spread widths of the space's range, and the first hidden width, SE, causality,
/// frames, frame stride and resolution of the space (narrow a space file to pick others). A path is one choice per decision.
/// </summary>
public sealed class OneShotSpace
{
    public MoViNetSearchSpace Space { get; }
    public int Stem { get; }
    public IReadOnlyList<int> Widths { get; }
    public int Head { get; }
    /// <summary>Per block, the expansion widths a layer may take (ascending).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Expansions { get; }
    public IReadOnlyList<int> Depths { get; }
    public IReadOnlyList<OneShotDecision> Decisions { get; }

    public OneShotSpace(MoViNetSearchSpace space, int expansionChoices = 3)
    {
        if (expansionChoices < 1) throw new ArgumentOutOfRangeException(nameof(expansionChoices), "At least one expansion choice per layer.");
        Space = space;
        Stem = Nearest(space.Widths(space.StemBaseWidth), space.StemBaseWidth);
        Widths = space.Blocks.Select(b => Nearest(space.Widths(b.BaseWidth), b.BaseWidth)).ToList();
        Head = Nearest(space.Widths(space.HeadBaseWidth), space.HeadBaseWidth);
        Expansions = Widths.Select(w => Spread(space.Expansions(w), expansionChoices)).ToList();
        Depths = Enumerable.Range(space.DepthMin, space.DepthMax - space.DepthMin + 1).ToList();
        var kernels = space.Kernels.Select(k => KernelChoice.Format(k.Time, k.Size)).ToList();
        var decisions = new List<OneShotDecision>();
        for (int b = 0; b < Widths.Count; b++)
        {
            decisions.Add(new($"b{b} depth", Depths.Select(d => d.ToString()).ToList()));
            for (int l = 0; l < space.DepthMax; l++)
            {
                decisions.Add(new($"b{b}_l{l} kernel", kernels));
                decisions.Add(new($"b{b}_l{l} expand", Expansions[b].Select(e => e.ToString()).ToList()));
            }
        }
        Decisions = decisions;
    }

    /// <summary>Index of block <paramref name="b"/>'s depth decision; layer l's kernel and expansion follow at +1+2l and +2+2l.</summary>
    public int DepthDecision(int b) => b * (1 + 2 * Space.DepthMax);
    public int KernelDecision(int b, int l) => DepthDecision(b) + 1 + 2 * l;
    public int ExpandDecision(int b, int l) => DepthDecision(b) + 2 + 2 * l;

    /// <summary>The point of the full space a path is (decisions of layers beyond a block's depth are ignored).</summary>
    public MoViNetArchitecture ToArchitecture(IReadOnlyList<int> path)
    {
        if (path.Count != Decisions.Count) throw new ArgumentException($"A path has {Decisions.Count} choices, got {path.Count}.", nameof(path));
        for (int i = 0; i < path.Count; i++)
            if (path[i] < 0 || path[i] >= Decisions[i].Count)
                throw new ArgumentException($"Choice {path[i]} of decision '{Decisions[i].Name}' is not in [0, {Decisions[i].Count}).", nameof(path));
        var blocks = Widths.Select((w, b) => new SearchedBlock(w, Enumerable.Range(0, Depths[path[DepthDecision(b)]]).Select(l =>
        {
            var (kt, k) = Space.Kernels[path[KernelDecision(b, l)]];
            return new SearchedLayer(Expansions[b][path[ExpandDecision(b, l)]], kt, k);
        }).ToList())).ToList();
        return new MoViNetArchitecture(Stem, blocks, Head, Space.Hidden[0], Space.SqueezeExcitation[0], Space.Causal[0],
            Space.Frames[0], Space.FrameStrides[0], Space.Resolutions[0]);
    }

    /// <summary>Bottlenecks the supernet holds: per block, depth slots × kernels (every expansion is a slice of the widest).</summary>
    public int CandidateCount => Widths.Count * Space.DepthMax * Space.Kernels.Count;

    /// <summary>The path of the largest choices: deepest, last kernel of the list, widest expansion.</summary>
    public int[] Largest() => Decisions.Select(d => d.Count - 1).ToArray();

    private static int Nearest(IReadOnlyList<int> values, int target) => values.OrderBy(v => Math.Abs(v - target)).ThenBy(v => v).First();

    private static List<int> Spread(IReadOnlyList<int> values, int count)
    {
        if (values.Count <= count) return values.ToList();
        if (count == 1) return [values[^1]];
        return Enumerable.Range(0, count).Select(i => values[(int)Math.Round(i * (values.Count - 1) / (double)(count - 1))]).Distinct().ToList();
    }
}
