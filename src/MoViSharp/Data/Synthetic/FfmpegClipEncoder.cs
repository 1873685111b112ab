using System.Diagnostics;

namespace MoViSharp.Data.Synthetic;

/// <summary>Encodes a clip to H.264 .mp4 by piping raw rgb24 frames into the <c>ffmpeg</c> program.</summary>
public static class FfmpegClipEncoder
{
    public const int FramesPerSecond = 25;

    /// <summary>
    /// Writes <paramref name="clip"/> to <paramref name="path"/> atomically (ffmpeg writes a temporary file in the same
    /// folder, renamed when it succeeds). Throws <see cref="InvalidOperationException"/> naming the file when ffmpeg is
    /// missing or fails, with the end of its error output.
    /// </summary>
    public static void Write(string path, SyntheticClip clip, string ffmpeg = "ffmpeg")
    {
        // yuv420p halves chroma resolution, so libx264 needs even dimensions.
        if (clip.Width % 2 != 0 || clip.Height % 2 != 0)
            throw new ArgumentException($"{path}: mp4 (yuv420p) needs an even frame size, got {clip.Width}x{clip.Height}", nameof(clip));
        string fullPath = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     "-hide_banner", "-loglevel", "error", "-y",
                     "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{clip.Width}x{clip.Height}", "-r", $"{FramesPerSecond}", "-i", "pipe:0",
                     "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-f", "mp4", temporary,
                 })
            start.ArgumentList.Add(argument);

        try
        {
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException($"{path}: could not start {ffmpeg}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"{path}: the '{ffmpeg}' program was not found or could not run ({e.Message}); install ffmpeg or write .npy clips instead", e);
            }
            using (process)
            {
                var errors = process.StandardError.ReadToEndAsync();
                var output = process.StandardOutput.ReadToEndAsync();
                try
                {
                    process.StandardInput.BaseStream.Write(clip.ToRgb24());
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // ffmpeg quit early; its exit code and error output below say why.
                }
                process.WaitForExit();
                string errorText = errors.GetAwaiter().GetResult();
                output.GetAwaiter().GetResult();
                if (process.ExitCode != 0)
                    throw new InvalidOperationException($"{path}: ffmpeg failed with exit code {process.ExitCode}: {Tail(errorText)}");
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= 600 ? text : "..." + text[^600..];
    }
}
