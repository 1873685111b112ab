namespace MoViSharp.Tests.Weights.Tflite;

/// <summary>Locates the shared reference model (never copied into the repo): &lt;repo root&gt;/../shared/reference/.</summary>
internal static class TfliteReferenceFile
{
    public const string FileName = "movinet_a0_stream_int8_k600.tflite";

    private static readonly Lazy<byte[]> CachedBytes = new(() => File.ReadAllBytes(Path));

    /// <summary>Full path of the reference model; fails the calling test with a clear message when it is missing.</summary>
    public static string Path
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "MoViSharp.slnx")))
                dir = dir.Parent;
            if (dir is null)
                Assert.Fail($"Cannot find the repository root (a folder containing MoViSharp.slnx) above {AppContext.BaseDirectory}");
            // The repo's convention is <root>/../shared/reference; a git worktree nests the root one level deeper,
            // so keep walking up the root's ancestors before giving up.
            string expected = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir!.FullName, "..", "shared", "reference", FileName));
            for (var up = dir.Parent; up is not null; up = up.Parent)
            {
                string candidate = System.IO.Path.Combine(up.FullName, "shared", "reference", FileName);
                if (File.Exists(candidate))
                    return candidate;
            }
            Assert.Fail($"Reference model missing: expected {expected} (or shared/reference/ in a folder further up; see shared/reference/README.md). These tests need it and do not skip.");
            return expected;
        }
    }

    /// <summary>The file's bytes, read once per test run; callers must copy before corrupting.</summary>
    public static byte[] Bytes => CachedBytes.Value;
}
