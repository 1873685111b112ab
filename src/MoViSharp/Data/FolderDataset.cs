using MoViSharp.Weights;

namespace MoViSharp.Data;

/// <summary>
/// The UCF101/HMDB layout: DIR/&lt;class&gt;/&lt;clip&gt;. Classes are the sub-folder names in ordinal order, or the order of
/// DIR/labels.txt when it exists (as <c>movisharp synth</c> writes it), or <paramref name="classes"/> when given (so a validation
/// folder uses the training labels). Clips are every .npy or video file in a class folder, sorted by name.
/// </summary>
public static class FolderDataset
{
    public const string LabelsFileName = "labels.txt";

    public static ClipDataset Load(string directory, IReadOnlyList<string>? classes = null)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Dataset folder '{directory}' not found.");
        var folders = Directory.GetDirectories(directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).OrderBy(n => n, StringComparer.Ordinal).ToList();
        string labelsPath = Path.Combine(directory, LabelsFileName);
        var labels = classes ?? (File.Exists(labelsPath) ? LabelFile.Read(labelsPath) : folders);
        if (labels.Count == 0) throw new InvalidDataException($"{directory}: no class folders (expected DIR/<class>/<clip>.npy or video files).");

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
            if (!index.TryAdd(labels[i], i)) throw new InvalidDataException($"{directory}: class '{labels[i]}' is listed twice.");
        var samples = new List<ClipSample>();
        foreach (var folder in folders)
        {
            if (!index.TryGetValue(folder, out int label))
                throw new InvalidDataException($"{directory}: folder '{folder}' is not one of the {labels.Count} classes ({(classes is null ? labelsPath : "the model's labels")}).");
            samples.AddRange(Directory.GetFiles(Path.Combine(directory, folder)).Where(ClipFiles.IsClip)
                .OrderBy(f => f, StringComparer.Ordinal).Select(f => new ClipSample(f, label, Origin: f)));
        }
        if (samples.Count == 0) throw new InvalidDataException($"{directory}: no clips found (.npy or video files in the class folders).");
        return new ClipDataset(labels, samples, directory);
    }
}
