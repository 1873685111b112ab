namespace MoViSharp.Weights.Layouts;

/// <summary>A strict load failed: lists every missing key, unexpected key and shape mismatch at once.</summary>
public sealed class CheckpointMismatchException(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
    IReadOnlyList<string> shapeMismatches)
    : Exception(Describe(source, missing, unexpected, shapeMismatches))
{
    public IReadOnlyList<string> Missing { get; } = missing;
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
    public IReadOnlyList<string> ShapeMismatches { get; } = shapeMismatches;

    private static string Describe(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapes)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"missing keys ({missing.Count}): {List(missing)}");
        if (unexpected.Count > 0) parts.Add($"unexpected keys ({unexpected.Count}): {List(unexpected)}");
        if (shapes.Count > 0) parts.Add($"shape mismatches ({shapes.Count}): {List(shapes)}");
        return $"{source} does not fit the model: {string.Join("; ", parts)}.";
    }

    private static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(12)) + (items.Count > 12 ? $", … ({items.Count - 12} more)" : "");
}
