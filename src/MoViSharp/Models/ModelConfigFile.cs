using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Families.MoViNets;

namespace MoViSharp.Models;

/// <summary>
/// A configuration written as JSON (a custom architecture, or checkpoint metadata): its <c>family</c> field names the family that
/// reads the rest; files without one are MoViNet configurations (written before families existed).
/// </summary>
public static class ModelConfigFile
{
    public static ModelConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Config file '{path}' not found.", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static ModelConfig Parse(string json, string source)
    {
        string family;
        try
        {
            var node = JsonNode.Parse(json) as JsonObject;
            family = node?.FirstOrDefault(p => string.Equals(p.Key, "family", StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>()
                     ?? MoViNetFamily.FamilyName;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{source}: the model config is not a JSON object with a string 'family' ({e.Message})."); }
        return ModelRegistry.Family(family).ReadConfig(json, source);
    }

    public static string Write(ModelConfig config) => ModelRegistry.Family(config.Family).WriteConfig(config);
}
