namespace MoViSharp.Data;

/// <summary>A labelled list of clips with its class names (label n names logit n).</summary>
public sealed record ClipDataset(IReadOnlyList<string> Classes, IReadOnlyList<ClipSample> Samples, string Source)
{
    public int Count => Samples.Count;

    /// <summary>A folder (one sub-folder per class, <see cref="FolderDataset"/>) or a CSV list (<see cref="CsvDataset"/>).</summary>
    public static ClipDataset Open(string path, IReadOnlyList<string>? classes = null)
    {
        if (Directory.Exists(path)) return FolderDataset.Load(path, classes);
        if (File.Exists(path)) return CsvDataset.Load(path, classes);
        throw new FileNotFoundException($"Dataset '{path}' not found (expected a folder with one sub-folder per class, or a CSV list).", path);
    }

    /// <summary>The clips of each class, in label order.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[Classes.Count];
        foreach (var s in Samples) counts[s.Label]++;
        return counts;
    }
}
