using System.Reflection;

namespace MoViSharp.Labels;

/// <summary>
/// Class names of the label sets that ship with the library (plain lists of facts, one name per line, embedded at build time),
/// so a model whose metadata names its label set prints names without a label file.
/// </summary>
public static class LabelSets
{
    public const string Kinetics400 = "kinetics400";

    private static readonly Dictionary<string, IReadOnlyList<string>> Cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The names of <paramref name="labelSet"/>, or null when it does not ship with the library.</summary>
    public static IReadOnlyList<string>? TryGet(string? labelSet)
    {
        if (labelSet is null) return null;
        lock (Cache)
        {
            if (Cache.TryGetValue(labelSet, out var cached)) return cached;
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"MoViSharp.Labels.{labelSet.ToLowerInvariant()}.txt");
            if (stream is null) return null;
            using var reader = new StreamReader(stream);
            var names = reader.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            return Cache[labelSet] = names;
        }
    }
}
