using System.Text.Json.Nodes;

namespace MoViSharp.Search;

/// <summary>The built-in spaces by name and space files by their <c>kind</c> (files written before TVN had none: MoViNet).</summary>
public static class SearchSpaces
{
    public static readonly IReadOnlyList<string> Kinds = ["movinet", "tvn"];

    /// <summary><c>movinet</c>, <c>tvn</c> (the built-in spaces) or a space file.</summary>
    public static ISearchSpace Load(string nameOrPath)
    {
        if (string.Equals(nameOrPath, "movinet", StringComparison.OrdinalIgnoreCase)) return MoViNetSearchSpace.Default;
        if (string.Equals(nameOrPath, "tvn", StringComparison.OrdinalIgnoreCase)) return TvnSearchSpace.Default;
        if (!File.Exists(nameOrPath)) throw new FileNotFoundException($"'{nameOrPath}' is neither a built-in space ({string.Join(", ", Kinds)}) nor a space file.", nameOrPath);
        return FromJson(Json.Parse(File.ReadAllText(nameOrPath), nameOrPath), nameOrPath);
    }

    public static ISearchSpace FromJson(JsonObject o, string source)
    {
        string kind = o["kind"] is null ? "movinet" : Json.String(o, "kind", source);
        return kind switch
        {
            "movinet" => MoViNetSearchSpace.FromJson(o, source),
            "tvn" => TvnSearchSpace.FromJson(o, source),
            _ => throw new InvalidDataException($"{source}: 'kind' must be one of {string.Join(", ", Kinds)}, got '{kind}'."),
        };
    }
}
