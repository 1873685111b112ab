namespace MoViSharp.Data;

/// <summary>Which files a dataset treats as clips.</summary>
public static class ClipFiles
{
    public static IReadOnlySet<string> VideoExtensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".npy", ".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".gif",
    };

    public static bool IsClip(string path) => VideoExtensions.Contains(Path.GetExtension(path));
}
