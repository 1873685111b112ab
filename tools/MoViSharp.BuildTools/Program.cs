using MoViSharp.Platform;

// Build-time helper: `patch-glibcxx DIR` applies the GLIBCXX_3.4.32 fix to every libLibTorchSharp.so under DIR.
if (args.Length != 2 || args[0] != "patch-glibcxx")
{
    Console.Error.WriteLine("usage: MoViSharp.BuildTools patch-glibcxx <output-directory>");
    return 2;
}
try
{
    foreach (var (path, outcome) in GlibcxxCompatibility.PatchDirectory(args[1]))
        Console.WriteLine($"{outcome}: {path}");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: GLIBCXX fix failed: {e.Message}");
    return 1;
}
