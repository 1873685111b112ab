namespace MoViSharp.Search;

/// <summary>The trained candidates no other beats on both accuracy (higher) and cost (lower), by ascending cost.</summary>
public static class ParetoFront
{
    public static IReadOnlyList<EvaluatedArchitecture> Of(IEnumerable<EvaluatedArchitecture> history)
    {
        var front = new List<EvaluatedArchitecture>();
        foreach (var h in history.Where(h => h.Trained && h.DuplicateOf is null).OrderBy(h => h.Cost).ThenByDescending(h => h.Accuracy).ThenBy(h => h.Id))
            if (front.Count == 0 || h.Accuracy > front[^1].Accuracy) front.Add(h);
        return front;
    }
}
