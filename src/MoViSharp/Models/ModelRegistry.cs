namespace MoViSharp.Models;

/// <summary>
/// Named models in the spirit of timm's create_model: <c>a0</c>…<c>a5</c> and <c>t0</c>, each <c>base</c> or <c>stream</c>
/// (also accepted as one id, "a0-stream").
/// </summary>
public static class ModelRegistry
{
    public static IReadOnlyList<string> Names { get; } =
        MoViNetSpecs.Names.SelectMany(n => new[] { $"{n}-base", $"{n}-stream" }).ToList();

    /// <summary>The configuration of a named model, optionally with another number of classes or further changes.</summary>
    public static MoViNetConfig Config(string name, MoViNetVariant? variant = null, int? numClasses = null)
    {
        var (model, parsedVariant) = Parse(name);
        var config = MoViNetSpecs.Get(model, variant ?? parsedVariant ?? MoViNetVariant.Base);
        return numClasses is int classes ? config with { NumClasses = classes } : config;
    }

    /// <summary>Builds a named model with fresh weights.</summary>
    public static MoViNet Create(string name, MoViNetVariant? variant = null, int? numClasses = null,
        Func<MoViNetConfig, MoViNetConfig>? customize = null)
    {
        var config = Config(name, variant, numClasses);
        return new MoViNet(customize is null ? config : customize(config));
    }

    /// <summary>Splits "a0-stream" into ("a0", Stream); "a0" gives no variant.</summary>
    public static (string Model, MoViNetVariant? Variant) Parse(string name)
    {
        var parts = name.Trim().ToLowerInvariant().Split('-', 2);
        if (!MoViNetSpecs.Names.Contains(parts[0]))
            throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", MoViNetSpecs.Names)} (each base or stream).");
        if (parts.Length == 1) return (parts[0], null);
        return parts[1] switch
        {
            "base" => (parts[0], MoViNetVariant.Base),
            "stream" => (parts[0], MoViNetVariant.Stream),
            _ => throw new ArgumentException($"Unknown variant '{parts[1]}' in '{name}'; use base or stream."),
        };
    }
}
