using System.Text.Json.Nodes;

namespace MoViSharp.Search;

/// <summary>Typed field reads for the search files, with errors naming the file, the field and the expected type.</summary>
internal static class Json
{
    public static JsonNode Required(JsonObject o, string key, string source) =>
        o[key] ?? throw new InvalidDataException($"{source}: missing field '{key}'.");

    public static T Value<T>(JsonObject o, string key, string source)
    {
        var node = Required(o, key, source);
        try { return node.GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{source}: field '{key}' must be {Describe<T>()}, got {node.ToJsonString()}."); }
    }

    public static int Int(JsonObject o, string key, string source) => Value<int>(o, key, source);
    public static long Long(JsonObject o, string key, string source) => Value<long>(o, key, source);
    public static double Double(JsonObject o, string key, string source) => Value<double>(o, key, source);
    public static bool Bool(JsonObject o, string key, string source) => Value<bool>(o, key, source);
    public static string String(JsonObject o, string key, string source) => Value<string>(o, key, source);

    public static JsonArray Array(JsonObject o, string key, string source) =>
        Required(o, key, source) as JsonArray ?? throw new InvalidDataException($"{source}: field '{key}' must be an array.");

    public static List<T> List<T>(JsonObject o, string key, string source) =>
        Array(o, key, source).Select((n, i) =>
        {
            try { return n!.GetValue<T>(); }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
            { throw new InvalidDataException($"{source}: '{key}'[{i}] must be {Describe<T>()}."); }
        }).ToList();

    public static JsonObject Parse(string text, string source)
    {
        try { return JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{source}: not a JSON object."); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message})."); }
    }

    private static string Describe<T>() => typeof(T) == typeof(int) || typeof(T) == typeof(long) ? "an integer"
        : typeof(T) == typeof(double) ? "a number" : typeof(T) == typeof(bool) ? "true or false" : "a string";
}
