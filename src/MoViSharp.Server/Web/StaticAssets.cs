using System.Reflection;

namespace MoViSharp.Server.Web;

/// <summary>The page's files, embedded in the assembly (wwwroot/), read once.</summary>
internal static class StaticAssets
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type)> files = Load();

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        const string prefix = "MoViSharp.Server.wwwroot.";
        var result = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            string file = name[prefix.Length..];
            string type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            result[file] = (copy.ToArray(), type);
        }
        return result;
    }

    public static bool TryGet(string file, out byte[] bytes, out string type)
    {
        if (files.TryGetValue(file, out var f)) { bytes = f.Bytes; type = f.Type; return true; }
        bytes = []; type = "";
        return false;
    }
}
