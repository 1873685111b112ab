namespace MoViSharp.Weights;

/// <summary>Class labels, one per line; line n (0-based) names logit n.</summary>
public static class LabelFile
{
    public static IReadOnlyList<string> Read(string path, int? expectedCount = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Label file '{path}' not found.", path);
        var labels = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        while (labels.Count > 0 && labels[^1].Length == 0) labels.RemoveAt(labels.Count - 1);
        if (labels.Count == 0) throw new InvalidDataException($"{path}: the label file is empty.");
        if (expectedCount is int n && labels.Count != n)
            throw new InvalidDataException($"{path}: {labels.Count} labels, but the model has {n} classes.");
        return labels;
    }
}
