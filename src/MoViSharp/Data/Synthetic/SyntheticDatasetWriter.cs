using MoViSharp.IO;
using System.Globalization;
using System.Text;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Data.Synthetic;

/// <summary>What <see cref="SyntheticDatasetWriter.Write"/> produced.</summary>
/// <param name="Directory">The dataset folder.</param>
/// <param name="LabelsPath">labels.txt: one class name per line, in label order.</param>
/// <param name="ClipCount">Clips written (classes × clips per class).</param>
public sealed record SyntheticDatasetSummary(string Directory, string LabelsPath, int ClipCount);

/// <summary>
/// Writes the synthetic benchmark to disk: <c>DIR/&lt;class&gt;/&lt;class&gt;_&lt;index:0000&gt;.npy</c> (or <c>.mp4</c>) for every
/// class and index, plus <c>DIR/labels.txt</c>. Every file is written atomically and clips are rendered in parallel;
/// the content does not depend on the degree of parallelism.
/// </summary>
public static class SyntheticDatasetWriter
{
    public const string LabelsFileName = "labels.txt";

    /// <summary>The path of clip <paramref name="index"/> of <paramref name="actionClass"/> under <paramref name="directory"/>.</summary>
    public static string ClipPath(string directory, SyntheticActionClass actionClass, int index, SyntheticClipFormat format) =>
        Path.Combine(directory, actionClass.Name,
            $"{actionClass.Name}_{index.ToString("D4", CultureInfo.InvariantCulture)}{(format == SyntheticClipFormat.Mp4 ? ".mp4" : ".npy")}");

    public static SyntheticDatasetSummary Write(
        string directory,
        int perClass,
        long seed,
        int frames = SyntheticClipRenderer.DefaultFrames,
        int size = SyntheticClipRenderer.DefaultSize,
        SyntheticClipFormat format = SyntheticClipFormat.Npy,
        int maxDegreeOfParallelism = -1,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        // Fail on bad frames/size before creating anything.
        SyntheticClipRenderer.ValidateSize(frames, size);
        if (format == SyntheticClipFormat.Mp4 && size % 2 != 0)
            throw new ArgumentException($"{directory}: mp4 clips need an even frame size, got {size}", nameof(size));

        Directory.CreateDirectory(directory);
        foreach (var actionClass in SyntheticActionClasses.All)
            Directory.CreateDirectory(Path.Combine(directory, actionClass.Name));

        int total = SyntheticActionClasses.Count * perClass, done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(0, total, options, job =>
        {
            var actionClass = SyntheticActionClasses.All[job / perClass];
            int index = job % perClass;
            var clip = SyntheticClipRenderer.Render(actionClass.Index, seed, index, frames, size);
            string path = ClipPath(directory, actionClass, index, format);
            if (format == SyntheticClipFormat.Mp4)
                FfmpegClipEncoder.Write(path, clip);
            else
                NpyFile.Write(path, clip.Data, clip.Shape);
            progress?.Report(Interlocked.Increment(ref done));
        });

        // Written last, so a folder with labels.txt holds a complete dataset.
        string labels = Path.Combine(directory, LabelsFileName);
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(SyntheticActionClasses.Names.Select(n => n + "\n")));
        MoViSharp.IO.AtomicFile.Write(labels, stream => stream.Write(text));
        return new SyntheticDatasetSummary(directory, labels, total);
    }
}
