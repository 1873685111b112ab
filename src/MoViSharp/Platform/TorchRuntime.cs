using TorchSharp;

namespace MoViSharp.Platform;

/// <summary>Raised when libtorch cannot be loaded; the message says why in plain words and how to fix it.</summary>
public sealed class TorchRuntimeUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Loads TorchSharp's native libraries once and, when that fails, replaces TorchSharp's misleading message
/// ("doesn't contain a reference to libtorch-cpu-linux-x64") with the actual cause.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad);

    /// <summary>Throws <see cref="TorchRuntimeUnavailableException"/> when libtorch cannot be used on this machine.</summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
            throw new TorchRuntimeUnavailableException(Diagnose(AppContext.BaseDirectory), failure);
    }

    private static Exception? TryLoad()
    {
        try
        {
            using var probe = torch.ones(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or BadImageFormatException)
        {
            return e;
        }
    }

    /// <summary>Explains why libLibTorchSharp.so under <paramref name="applicationDirectory"/> does not load.</summary>
    public static string Diagnose(string applicationDirectory, IEnumerable<string>? libStdCxxCandidates = null)
    {
        string? library = new[]
            {
                Path.Combine(applicationDirectory, GlibcxxCompatibility.LibraryFileName),
                Path.Combine(applicationDirectory, "runtimes", "linux-x64", "native", GlibcxxCompatibility.LibraryFileName),
            }
            .FirstOrDefault(File.Exists);
        if (library is null)
            return $"The native TorchSharp library ({GlibcxxCompatibility.LibraryFileName}) is not next to the program in {applicationDirectory}. " +
                   "Rebuild or republish MoViSharp for linux-x64 so that the libtorch-cpu-linux-x64 package's native files are copied.";

        string? libStdCxx = GlibcxxCompatibility.FindSystemLibStdCxx(libStdCxxCandidates);
        if (libStdCxx is null)
            return "No system libstdc++.so.6 was found; install it (Debian: apt-get install libstdc++6).";

        var missing = ElfVersionNeeds.Read(File.ReadAllBytes(library), library)
            .Where(n => n.Library.StartsWith("libstdc++", StringComparison.Ordinal) && !n.IsWeak)
            .Where(n => !GlibcxxCompatibility.LibraryDefinesVersion(libStdCxx, n.Version))
            .Select(n => n.Version)
            .Distinct()
            .ToList();
        if (missing.Count > 0)
            return $"{library} requires {string.Join(", ", missing)}, which this system's {libStdCxx} does not provide " +
                   "(Debian 12 stops at GLIBCXX_3.4.30). MoViSharp's build marks that unused requirement weak after every build and publish; " +
                   "this copy was not patched. Run `dotnet build` (or `dotnet publish`) again, or apply the fix by hand with " +
                   $"`dotnet tools/MoViSharp.BuildTools/bin/Release/net10.0/MoViSharp.BuildTools.dll patch-glibcxx {Path.GetDirectoryName(library)}`.";
        return $"{library} exists and its libstdc++ requirements are met, but libtorch still failed to load; " +
               "check that libtorch.so and its dependencies sit in the same folder (run `ldd` on it to see which one is missing).";
    }
}
