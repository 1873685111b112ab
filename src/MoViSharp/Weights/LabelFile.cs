namespace MoViSharp.Weights;

/// <summary>Class names, one per line (line n, 0-based, names logit n), as in kinetics600_label_map.txt.</summary>
public static class LabelFile
{
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Label file '{path}' not found.", path);
        var lines = File.ReadAllLines(path).ToList();
        // A trailing newline is not a class.
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new InvalidDataException($"Label file '{path}' holds no labels.");
        return lines.Select(l => l.Trim()).ToList();
    }
}
