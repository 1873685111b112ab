using System.Diagnostics;
using MoViSharp.Video;

namespace MoViSharp.Tests.Video;

/// <summary>Small clips generated once with ffmpeg's lavfi sources into a temporary folder (ffmpeg is installed by test.sh).</summary>
public sealed class VideoTestClips : IDisposable
{
    public VideoTestClips()
    {
        Directory = Path.Combine(Path.GetTempPath(), "movisharp-video-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        // Lossless ffv1 in rgb (bgr0) so that pixel values survive exactly.
        TestPattern = Make("testsrc2_64x48.mkv", "testsrc2=s=64x48:r=10:d=2", "-c:v", "ffv1", "-pix_fmt", "bgr0");
        SolidRed = Make("red_32x32.mkv", "color=c=red:s=32x32:r=10:d=1", "-c:v", "ffv1", "-pix_fmt", "bgr0");
        AudioOnly = Make("sine.wav", "sine=frequency=440:duration=0.5");
        Garbage = Path.Combine(Directory, "garbage.mp4");
        File.WriteAllBytes(Garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
    }

    public string Directory { get; }

    /// <summary>64×48, 10 fps, 20 frames.</summary>
    public string TestPattern { get; }

    /// <summary>32×32 pure red, 10 fps, 10 frames.</summary>
    public string SolidRed { get; }

    /// <summary>A wav file: audio only.</summary>
    public string AudioOnly { get; }

    /// <summary>Bytes that are no media format.</summary>
    public string Garbage { get; }

    private string Make(string name, string lavfi, params string[] encode)
    {
        string path = Path.Combine(Directory, name);
        var start = new ProcessStartInfo(FfmpegLocator.FindFfmpeg()) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])["-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i", lavfi, .. encode, "-y", path])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg could not make test clip {name}: {errors}");
        return path;
    }

    /// <summary>The shared reference clip; walks up from the test output to the folder holding MoViSharp.slnx, then looks for shared/reference/videos.</summary>
    public static string ReferenceVideo(string name)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MoViSharp.slnx")))
            root = root.Parent;
        if (root is null)
            throw new FileNotFoundException($"No folder above {AppContext.BaseDirectory} holds MoViSharp.slnx, so the reference video {name} cannot be located.");
        var looked = new List<string>();
        // The checkout may hold shared/ itself; otherwise it sits next to the checkout (../shared) or higher up (worktrees).
        for (var dir = root; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "reference", "videos", name);
            if (File.Exists(candidate))
                return candidate;
            looked.Add(candidate);
        }
        throw new FileNotFoundException($"Reference video {name} is absent; looked in: {string.Join(", ", looked)}");
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
