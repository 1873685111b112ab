using System.Globalization;

namespace MoViSharp.Data;

/// <summary>
/// A CSV list of clips: <c>path,label[,start_s,end_s]</c> per line, paths relative to the CSV file. An optional header line
/// starting with <c>path</c> and lines starting with <c>#</c> are skipped. Labels are class names; classes are numbered in
/// sorted order unless <paramref name="classes"/> is given (then every label must be one of them).
/// </summary>
public static class CsvDataset
{
    public static ClipDataset Load(string csvPath, IReadOnlyList<string>? classes = null)
    {
        if (!File.Exists(csvPath)) throw new FileNotFoundException($"Dataset list '{csvPath}' not found.", csvPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        var rows = new List<(string Path, string Label, double? Start, double? End, string Origin)>();
        var lines = File.ReadAllLines(csvPath);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim(), origin = $"{csvPath}:{i + 1}";
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();
            if (rows.Count == 0 && i == FirstContentLine(lines) && fields[0].Equals("path", StringComparison.OrdinalIgnoreCase)) continue;
            if (fields.Length is not (2 or 4))
                throw new InvalidDataException($"{origin}: expected 'path,label' or 'path,label,start_s,end_s', got {fields.Length} fields: '{line}'.");
            if (fields[0].Length == 0 || fields[1].Length == 0) throw new InvalidDataException($"{origin}: empty path or label in '{line}'.");
            double? start = null, end = null;
            if (fields.Length == 4)
            {
                start = Seconds(fields[2], "start_s", origin);
                end = Seconds(fields[3], "end_s", origin);
                if (!(end > start)) throw new InvalidDataException($"{origin}: end_s ({end}) must be greater than start_s ({start}).");
            }
            string path = Path.GetFullPath(Path.Combine(folder, fields[0]));
            if (!ClipFiles.IsClip(path)) throw new InvalidDataException($"{origin}: '{fields[0]}' is not a .npy or video file.");
            if (!File.Exists(path)) throw new FileNotFoundException($"{origin}: clip '{fields[0]}' not found (looked for {path}).", path);
            if (start is not null && path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{origin}: a time range needs a video file; .npy clips have no time base.");
            rows.Add((path, fields[1], start, end, origin));
        }
        if (rows.Count == 0) throw new InvalidDataException($"{csvPath}: the list has no clips.");
        var labels = classes ?? rows.Select(r => r.Label).Distinct().OrderBy(l => l, StringComparer.Ordinal).ToList();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var samples = rows.Select(r => index.TryGetValue(r.Label, out int label)
            ? new ClipSample(r.Path, label, r.Start, r.End, r.Origin)
            : throw new InvalidDataException($"{r.Origin}: label '{r.Label}' is not one of the {labels.Count} classes.")).ToList();
        return new ClipDataset(labels, samples, csvPath);
    }

    private static int FirstContentLine(string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Trim() is { Length: > 0 } l && !l.StartsWith('#')) return i;
        return -1;
    }

    private static double Seconds(string text, string name, string origin) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v)
            ? v : throw new InvalidDataException($"{origin}: {name} must be a non-negative number of seconds, got '{text}'.");
}
