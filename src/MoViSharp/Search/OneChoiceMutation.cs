using MoViSharp.Data.Synthetic;

namespace MoViSharp.Search;

/// <summary>
/// The draw every family's mutator shares (TVN/EvaNet-style evolution): a gene is drawn uniformly among the choices that have
/// an alternative, then a different value uniformly among its alternatives. A family lists its genes with <see cref="Choice"/>.
/// </summary>
public static class OneChoiceMutation
{
    /// <summary>One choice of a point: how many other values it can take, and the point with the i-th of them and its description.</summary>
    public sealed record Gene<TPoint>(int Alternatives, Func<int, (TPoint Child, string Change)> Apply);

    /// <summary>The gene of a choice among <paramref name="values"/>, or null when <paramref name="current"/> is the only value.</summary>
    public static Gene<TPoint>? Choice<TPoint, T>(IReadOnlyList<T> values, T current, string name, Func<T, TPoint> with, Func<T, string>? show = null)
    {
        show ??= v => v?.ToString() ?? "";
        var others = values.Where(v => !EqualityComparer<T>.Default.Equals(v, current)).ToList();
        return others.Count == 0 ? null : new Gene<TPoint>(others.Count, i => (with(others[i]), $"{name} {show(current)}→{show(others[i])}"));
    }

    /// <summary>The mutated point and a description of the change (e.g. "b2.l1.kernel 3x3x3→1x5x5").</summary>
    public static (TPoint Child, string Change) Draw<TPoint>(IEnumerable<Gene<TPoint>?> genes, string spaceName, ref SplitMix64 random)
    {
        var open = genes.OfType<Gene<TPoint>>().ToList();
        if (open.Count == 0) throw new InvalidOperationException($"The '{spaceName}' space has a single point: nothing to mutate.");
        var gene = open[random.NextInt(open.Count)];
        return gene.Apply(random.NextInt(gene.Alternatives));
    }
}
