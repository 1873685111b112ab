using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoViSharp.Models;

/// <summary>
/// Reads the fields of a family's configuration JSON with errors that name the file and the field (wrong type, missing, not a
/// list of numbers). Families write their configs with a <c>family</c> field and read them back through this.
/// </summary>
public sealed class ConfigJsonReader
{
    private readonly JsonObject o;

    public string Source { get; }

    public ConfigJsonReader(string json, string source)
    {
        Source = source;
        try { o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: the model config is not a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: the model config is not valid JSON ({e.Message})."); }
    }

    public bool Has(string key) => o.TryGetPropertyValue(key, out var node) && node is not null;

    /// <summary>The field's value, or <paramref name="fallback"/> when it is absent or null.</summary>
    public T Get<T>(string key, T fallback)
    {
        if (!o.TryGetPropertyValue(key, out var node) || node is null) return fallback;
        try { return node.GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{Source}: model config field '{key}' has the wrong type (expected {typeof(T).Name})."); }
    }

    public T Required<T>(string key) => Has(key) ? Get<T>(key, default!) : throw new InvalidDataException($"{Source}: model config has no '{key}'.");

    /// <summary>A list field (each element read as <typeparamref name="T"/>), or <paramref name="fallback"/> when absent.</summary>
    public IReadOnlyList<T> List<T>(string key, IReadOnlyList<T>? fallback = null)
    {
        if (!o.TryGetPropertyValue(key, out var node) || node is null)
            return fallback ?? throw new InvalidDataException($"{Source}: model config has no '{key}'.");
        if (node is not JsonArray array) throw new InvalidDataException($"{Source}: model config field '{key}' must be a list.");
        return array.Select((e, i) =>
        {
            try { return e is null ? throw new InvalidOperationException() : e.GetValue<T>(); }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            { throw new InvalidDataException($"{Source}: element {i} of model config field '{key}' has the wrong type (expected {typeof(T).Name})."); }
        }).ToList();
    }

    /// <summary>A list of lists of integers (e.g. per-stage widths), or <paramref name="fallback"/> when absent.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Lists(string key, IReadOnlyList<IReadOnlyList<int>>? fallback = null)
    {
        if (!o.TryGetPropertyValue(key, out var node) || node is null)
            return fallback ?? throw new InvalidDataException($"{Source}: model config has no '{key}'.");
        if (node is not JsonArray outer) throw new InvalidDataException($"{Source}: model config field '{key}' must be a list of lists.");
        return outer.Select((inner, i) => inner is JsonArray a
            ? (IReadOnlyList<int>)a.Select((e, j) => e is JsonValue v && v.TryGetValue<int>(out var x) ? x
                : throw new InvalidDataException($"{Source}: '{key}'[{i}][{j}] is not an integer.")).ToList()
            : throw new InvalidDataException($"{Source}: '{key}'[{i}] is not a list.")).ToList();
    }

    /// <summary>A string field that must be one of <paramref name="names"/>' keys.</summary>
    public T Choice<T>(string key, IReadOnlyDictionary<string, T> names, T? fallback = null) where T : struct
    {
        string? text = Get<string?>(key, null);
        if (text is null) return fallback ?? throw new InvalidDataException($"{Source}: model config has no '{key}'.");
        return names.TryGetValue(text, out var value) ? value
            : throw new InvalidDataException($"{Source}: model config field '{key}' is '{text}', not one of {string.Join(", ", names.Keys)}.");
    }
}
