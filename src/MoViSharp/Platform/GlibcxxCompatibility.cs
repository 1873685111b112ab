using System.Text;

namespace MoViSharp.Platform;

/// <summary>What <see cref="GlibcxxCompatibility.PatchFile"/> did to one library.</summary>
public enum GlibcxxPatchOutcome
{
    /// <summary>The version requirement was strong and is now weak.</summary>
    Patched,
    /// <summary>Already weak (an earlier build patched it): nothing written.</summary>
    AlreadyWeak,
    /// <summary>The library does not ask for the version at all: nothing written.</summary>
    NotRequired,
    /// <summary>The system libstdc++ provides the version, so the library loads as shipped: nothing written.</summary>
    SystemProvidesVersion,
}

/// <summary>
/// The fix for libLibTorchSharp.so 0.107.0 on Debian 12: the library requires GLIBCXX_3.4.32 (only for GCC 13's unused
/// iostream init hook), which Debian's libstdc++ (up to 3.4.30) lacks. Marking that one requirement weak lets the loader accept it.
/// </summary>
public static class GlibcxxCompatibility
{
    public const string LibraryFileName = "libLibTorchSharp.so";
    public const string RequiredVersion = "GLIBCXX_3.4.32";

    /// <summary>Where the dynamic loader looks for libstdc++.so.6 on common x86-64 Linux systems.</summary>
    public static IReadOnlyList<string> DefaultLibStdCxxPaths { get; } =
    [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    ];

    /// <summary>The first existing system libstdc++ among <paramref name="candidates"/>, or null.</summary>
    public static string? FindSystemLibStdCxx(IEnumerable<string>? candidates = null) =>
        (candidates ?? DefaultLibStdCxxPaths).FirstOrDefault(File.Exists);

    /// <summary>True when the libstdc++ at <paramref name="libStdCxxPath"/> defines <paramref name="version"/>.</summary>
    public static bool LibraryDefinesVersion(string libStdCxxPath, string version = RequiredVersion)
    {
        // Version definitions are NUL-terminated names in the dynamic string table; a byte search is exact enough
        // because a longer name (GLIBCXX_3.4.320) would not be followed by NUL at the same place.
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(libStdCxxPath).AsSpan().IndexOf(needle) >= 0;
    }

    /// <summary>True when the system's libstdc++ already provides <see cref="RequiredVersion"/> (then no patch is needed).</summary>
    public static bool SystemProvidesRequiredVersion(IEnumerable<string>? candidates = null)
    {
        string? path = FindSystemLibStdCxx(candidates);
        return path is not null && LibraryDefinesVersion(path);
    }

    /// <summary>Patches one copy of the library. The file is replaced atomically (temporary file, then rename).</summary>
    public static GlibcxxPatchOutcome PatchFile(string libraryPath, bool systemProvidesVersion)
    {
        if (systemProvidesVersion) return GlibcxxPatchOutcome.SystemProvidesVersion;

        byte[] bytes = File.ReadAllBytes(libraryPath);
        var needs = ElfVersionNeeds.Read(bytes, libraryPath).Where(n => n.Version == RequiredVersion).ToList();
        if (needs.Count == 0) return GlibcxxPatchOutcome.NotRequired;
        if (needs.All(n => n.IsWeak)) return GlibcxxPatchOutcome.AlreadyWeak;

        ElfVersionNeeds.MakeWeak(bytes, RequiredVersion, libraryPath);
        string temporary = libraryPath + ".glibcxx-fix.tmp";
        File.WriteAllBytes(temporary, bytes);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(libraryPath));
        File.Move(temporary, libraryPath, overwrite: true);
        return GlibcxxPatchOutcome.Patched;
    }

    /// <summary>Patches every copy of libLibTorchSharp.so under <paramref name="directory"/> (a build or publish output).</summary>
    public static IReadOnlyList<(string Path, GlibcxxPatchOutcome Outcome)> PatchDirectory(string directory, bool? systemProvidesVersion = null)
    {
        bool provided = systemProvidesVersion ?? SystemProvidesRequiredVersion();
        if (!Directory.Exists(directory)) return [];
        return Directory.EnumerateFiles(directory, LibraryFileName, SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => (path, PatchFile(path, provided)))
            .ToList();
    }
}
