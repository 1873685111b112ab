using MoViSharp.IO;

namespace MoViSharp.Bench;

/// <summary>
/// Owns one section of a shared Markdown file, between two marker comments: the rest of the file (other teams' sections) is
/// kept byte for byte; the file is replaced atomically.
/// </summary>
public static class MarkdownSection
{
    public const string Start = "<!-- bench:start -->";
    public const string End = "<!-- bench:end -->";

    /// <summary><paramref name="existing"/> with the marked section replaced by <paramref name="content"/> (appended when absent).</summary>
    public static string Replace(string? existing, string content)
    {
        string block = $"{Start}\n{content.TrimEnd('\n')}\n{End}";
        if (string.IsNullOrEmpty(existing)) return $"# Benchmarks\n\n{block}\n";
        int start = existing.IndexOf(Start, StringComparison.Ordinal);
        int end = start < 0 ? -1 : existing.IndexOf(End, start, StringComparison.Ordinal);
        if (start < 0 || end < 0) return existing.TrimEnd('\n') + "\n\n" + block + "\n";
        return existing[..start] + block + existing[(end + End.Length)..];
    }

    public static void Write(string path, string content)
    {
        string? existing = File.Exists(path) ? File.ReadAllText(path) : null;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllText(path, Replace(existing, content));
    }
}
