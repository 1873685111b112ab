using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Families.Continual;

/// <summary>
/// Continual models: any registered clip model converted (<see cref="ContinualConversion"/>), weights unchanged. The published
/// ones are named here (CoX3D with the extended 64-frame pool, CoSlow); their bases come from their own families, so these
/// names build once those families are registered. Upstream checkpoints of the base load directly
/// (<c>--model cox3d_m --weights x3d_m.pyth</c>).
/// </summary>
public sealed class ContinualFamily : IModelFamily
{
    // (name, base, pool window, published K400 top-1 of the Co3D benchmark table at that window, GMACs per step, description):
    // related-models.md §2.3–2.4.
    private static readonly (string Name, string Base, int Window, double? Top1, double? GMacs, string Description)[] Published =
    [
        ("cox3d_xs", "x3d_xs", 64, null, null, "CoX3D-XS: continual X3D-XS, per-frame SE, 64-frame pool"),
        ("cox3d_s", "x3d_s", 64, 67.33, 0.17, "CoX3D-S: continual X3D-S, per-frame SE, 64-frame pool"),
        ("cox3d_m", "x3d_m", 64, 71.03, 0.33, "CoX3D-M: continual X3D-M, per-frame SE, 64-frame pool"),
        ("cox3d_l", "x3d_l", 64, 71.61, 1.25, "CoX3D-L: continual X3D-L, per-frame SE, 64-frame pool"),
        ("coslow", "slow_r50", 64, 73.05, 6.90, "CoSlow: continual Slow-8×8-R50, 64-frame pool"),
    ];

    public string Name => ContinualConfig.FamilyName;

    /// <summary>The published continual models whose base model is registered (asked of the other families, not the registry's index).</summary>
    public IReadOnlyList<ModelEntry> Models
    {
        get
        {
            var bases = ModelRegistry.AllFamilies.Where(f => f.Name != Name).SelectMany(f => f.Models).ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
            return Published.Where(p => bases.ContainsKey(p.Base))
                .Select(p => new ModelEntry(p.Name, new ContinualConfig
                {
                    Name = p.Name, NumClasses = bases[p.Base].Config.NumClasses, BaseName = p.Base, PoolWindow = p.Window,
                }, p.Description, bases[p.Base].Weights is { } w ? w with
                {
                    Source = $"{w.Source} (the {p.Base} weights, unchanged)", Top1 = p.Top1,
                    Top1Protocol = $"Kinetics-400, continual, {p.Window}-frame pool (Co3D benchmark table)", GigaMultiplyAdds = p.GMacs,
                    FiguresSource = "related-models.md §2.3–2.4 (co3d README and results figure)",
                } : null))
                .ToList();
        }
    }

    public VideoModel Build(ModelConfig config) => new ContinualModel(As(config));

    public string WriteConfig(ModelConfig config)
    {
        var c = As(config);
        var node = new JsonObject
        {
            ["family"] = Name, ["name"] = c.Name, ["classes"] = c.NumClasses,
            ["base"] = JsonNode.Parse(ModelConfigFile.Write(c.Base)),
            ["pool_window"] = c.PoolWindow, ["fill"] = c.Fill.ToString().ToLowerInvariant(),
        };
        return node.ToJsonString();
    }

    public ModelConfig ReadConfig(string json, string source)
    {
        try
        {
            var o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: a continual config is a JSON object.");
            var baseNode = o["base"] as JsonObject ?? throw new InvalidDataException($"{source}: a continual config needs its 'base' configuration.");
            string fill = o["fill"]?.GetValue<string>() ?? "zeros";
            return new ContinualConfig
            {
                Name = o["name"]?.GetValue<string>() ?? "continual",
                NumClasses = o["classes"]?.GetValue<int>() ?? throw new InvalidDataException($"{source}: a continual config needs 'classes'."),
                BaseConfig = ModelConfigFile.Parse(baseNode.ToJsonString(), source),
                PoolWindow = o["pool_window"]?.GetValue<int?>(),
                Fill = Enum.TryParse<TemporalFill>(fill, ignoreCase: true, out var f) ? f
                    : throw new InvalidDataException($"{source}: unknown temporal fill '{fill}' (zeros, replicate, negativeinfinity)."),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{source}: not a continual model config ({e.Message})."); }
    }

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new ContinualLayout()];

    private static ContinualConfig As(ModelConfig config) => config as ContinualConfig
        ?? throw new ArgumentException($"The continual family cannot build a '{config.Family}' configuration.");

    /// <summary>Loads the base model's upstream checkpoint when the user names a continual model, then converts it.</summary>
    private sealed class ContinualLayout : ICheckpointLayout
    {
        public string Name => "continual";

        public bool Matches(NamedTensors tensors) => false;

        public bool Matches(NamedTensors tensors, CheckpointHints hints) =>
            hints.Model is { } name && ModelRegistry.TryEntry(name, out var entry) && entry.Config is ContinualConfig c
            && BaseLayouts(c).Any(l => l.Matches(tensors));

        public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
        {
            var config = (ContinualConfig)ModelRegistry.Entry(hints.Model!).Config;
            var layout = BaseLayouts(config).First(l => l.Matches(tensors));
            var clip = layout.Load(tensors, source, hints with { Model = config.BaseName, Architecture = config.BaseConfig });
            return ContinualModel.From(clip, config with { NumClasses = clip.NumClasses });
        }

        public NamedTensors Export(VideoModel model) => throw new NotSupportedException(
            "A continual model's upstream layout is its base model's: convert the base checkpoint instead.");

        private static IEnumerable<ICheckpointLayout> BaseLayouts(ContinualConfig c) => ModelRegistry.Family(c.Base.Family).Layouts;
    }
}
