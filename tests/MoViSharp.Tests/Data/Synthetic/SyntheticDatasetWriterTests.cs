using System.Diagnostics;
using MoViSharp.Data.Synthetic;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Tests.Data.Synthetic;

public sealed class SyntheticDatasetWriterTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("movisharp-synth-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Synthetic_Writer_ProducesFolderPerClassAndLabels()
    {
        string dataset = Path.Combine(folder, "data");
        var summary = SyntheticDatasetWriter.Write(dataset, perClass: 2, seed: 9, frames: 4, size: 16, maxDegreeOfParallelism: 2);

        Assert.Equal(SyntheticActionClasses.Count * 2, summary.ClipCount);
        Assert.Equal(SyntheticActionClasses.Names, File.ReadAllLines(Path.Combine(dataset, "labels.txt")));
        Assert.Equal(SyntheticActionClasses.Names.Order(StringComparer.Ordinal), Directory.GetDirectories(dataset).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var c in SyntheticActionClasses.All)
        {
            string[] expected = [$"{c.Name}_0000.npy", $"{c.Name}_0001.npy"];
            Assert.Equal(expected, Directory.GetFiles(Path.Combine(dataset, c.Name)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            var (data, shape) = NpyFile.ReadFloat32(Path.Combine(dataset, c.Name, expected[1]));
            Assert.Equal([4L, 16L, 16L, 3L], shape);
            Assert.Equal(SyntheticClipRenderer.Render(c.Index, 9, 1, 4, 16).Data, data);
        }
        Assert.Empty(Directory.GetFiles(dataset, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Synthetic_Writer_OutputDoesNotDependOnParallelism()
    {
        string one = Path.Combine(folder, "one"), two = Path.Combine(folder, "two");
        SyntheticDatasetWriter.Write(one, perClass: 1, seed: 3, frames: 3, size: 12, maxDegreeOfParallelism: 1);
        SyntheticDatasetWriter.Write(two, perClass: 1, seed: 3, frames: 3, size: 12, maxDegreeOfParallelism: 2);
        foreach (string file in Directory.GetFiles(one, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(two, Path.GetRelativePath(one, file))));
    }

    [Fact]
    public void Synthetic_Writer_RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasetWriter.Write(Path.Combine(folder, "x"), perClass: 0, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasetWriter.Write(Path.Combine(folder, "x"), perClass: 1, seed: 1, frames: 1));
        var e = Assert.Throws<ArgumentException>(() => SyntheticDatasetWriter.Write(Path.Combine(folder, "x"), 1, 1, 4, 15, SyntheticClipFormat.Mp4));
        Assert.Contains("even frame size", e.Message);
        Assert.False(Directory.Exists(Path.Combine(folder, "x")));
    }

    [Fact]
    public void Synthetic_Writer_Mp4WhenFfmpegIsInstalled()
    {
        if (!FfmpegAvailable())
            return; // mp4 is optional; the npy route is what training uses.
        var clip = SyntheticClipRenderer.Render(1, 5, 0, 8, 32);
        string path = Path.Combine(folder, "clip.mp4");
        FfmpegClipEncoder.Write(path, clip);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(bytes, 4, 4));
        Assert.Equal(["clip.mp4"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Synthetic_Ffmpeg_MissingProgramIsExplained()
    {
        var clip = SyntheticClipRenderer.Render(1, 5, 0, 2, 8);
        var e = Assert.Throws<InvalidOperationException>(() => FfmpegClipEncoder.Write(Path.Combine(folder, "a.mp4"), clip, "/nonexistent/ffmpeg"));
        Assert.Contains("a.mp4: the '/nonexistent/ffmpeg' program was not found", e.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    private static bool FfmpegAvailable()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("ffmpeg", "-version") { RedirectStandardOutput = true, RedirectStandardError = true });
            process!.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
