namespace MoViSharp.Video;

/// <summary>Finds the ffmpeg and ffprobe programs: an explicit path, then <c>MOVISHARP_FFMPEG</c>, then PATH.</summary>
public static class FfmpegLocator
{
    /// <summary>Environment variable that names the ffmpeg program to use.</summary>
    public const string EnvironmentVariable = "MOVISHARP_FFMPEG";

    /// <summary>The Debian/Ubuntu command that installs ffmpeg and ffprobe.</summary>
    public const string InstallCommand = "sudo apt-get install -y --no-install-recommends ffmpeg";

    /// <summary>
    /// Returns the full path of ffmpeg. <paramref name="explicitPath"/> (a path or a bare program name) wins over the
    /// environment variable, which wins over PATH. Throws <see cref="FfmpegNotFoundException"/> when nothing usable is found.
    /// </summary>
    public static string FindFfmpeg(string? explicitPath = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
            return Resolve(explicitPath) ?? throw NotFound($"the given path '{explicitPath}' does not exist or is not executable");

        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return Resolve(fromEnvironment) ?? throw NotFound($"{EnvironmentVariable}='{fromEnvironment}' does not exist or is not executable");

        return SearchPath("ffmpeg") ?? throw NotFound("it is not on PATH");
    }

    /// <summary>Returns ffprobe next to <paramref name="ffmpegPath"/>, else on PATH, else null (probing then falls back to ffmpeg).</summary>
    public static string? FindFfprobe(string ffmpegPath)
    {
        string? directory = Path.GetDirectoryName(ffmpegPath);
        if (!string.IsNullOrEmpty(directory))
        {
            // Keep a suffix such as ".exe" or "-5.1" so that a versioned ffmpeg finds its own ffprobe.
            string name = Path.GetFileName(ffmpegPath);
            string sibling = Path.Combine(directory, name.StartsWith("ffmpeg", StringComparison.Ordinal) ? "ffprobe" + name["ffmpeg".Length..] : "ffprobe");
            if (IsExecutable(sibling))
                return sibling;
        }
        return SearchPath("ffprobe");
    }

    private static FfmpegNotFoundException NotFound(string why) => new(
        $"ffmpeg was not found: {why}. MoViSharp decodes video with the ffmpeg program. " +
        $"Install it (Debian/Ubuntu: {InstallCommand}), or set {EnvironmentVariable} to its full path.");

    private static string? Resolve(string pathOrName)
    {
        bool bareName = pathOrName.IndexOfAny(['/', '\\']) < 0;
        if (bareName)
            return SearchPath(pathOrName);
        string full = Path.GetFullPath(pathOrName);
        return IsExecutable(full) ? full : null;
    }

    private static string? SearchPath(string program)
    {
        string[] names = OperatingSystem.IsWindows() ? [program + ".exe", program] : [program];
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (string name in names)
            {
                string candidate = Path.Combine(directory, name);
                if (IsExecutable(candidate))
                    return Path.GetFullPath(candidate);
            }
        return null;
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
            return false;
        if (OperatingSystem.IsWindows())
            return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
