using System.Text.Json.Nodes;
using MoViSharp.Families.MoViNets;
using MoViSharp.Models;

namespace MoViSharp.Families.ContinualTransformers;

/// <summary>
/// Streaming classifiers with continual transformer encoders (Hedegaard, Bakhtiarnia &amp; Iosifidis, ICLR 2023) on per-frame
/// MoViNet-A0-Stream features: <c>a0-cotrans-b1</c> (one single-output block) and <c>a0-cotrans-b2</c> (retroactive + single-output),
/// a 16-frame window. No published weights: train them (<c>movisharp train --model a0-cotrans-b1 …</c>).
/// </summary>
public sealed class CoTransformerFamily : IModelFamily
{
    public string Name => CoTransformerConfig.FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
    [
        Entry("a0-cotrans-b1", 1, "A0-Stream features + a one-block continual transformer encoder (single-output attention), 16-frame window"),
        Entry("a0-cotrans-b2", 2, "A0-Stream features + a two-block continual transformer encoder (retroactive, then single-output), 16-frame window"),
    ];

    private static ModelEntry Entry(string name, int blocks, string description) => new(name, new CoTransformerConfig
    {
        Name = name, NumClasses = 600, Backbone = MoViNetSpecs.Get("a0", MoViNetVariant.Stream), Blocks = blocks,
    }, description);

    public VideoModel Build(ModelConfig config) => new CoTransformerNet(config as CoTransformerConfig
        ?? throw new ArgumentException($"The continual-transformer family cannot build a '{config.Family}' configuration."));

    public string WriteConfig(ModelConfig config)
    {
        var c = (CoTransformerConfig)config;
        return new JsonObject
        {
            ["family"] = Name, ["name"] = c.Name, ["classes"] = c.NumClasses, ["backbone"] = JsonNode.Parse(MoViNetConfigJson.Write(c.Backbone)),
            ["channels"] = c.Channels, ["heads"] = c.Heads, ["feed_forward"] = c.FeedForward, ["blocks"] = c.Blocks, ["window"] = c.Window,
        }.ToJsonString();
    }

    public ModelConfig ReadConfig(string json, string source)
    {
        try
        {
            var o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: not a JSON object.");
            int Get(string key) => o[key]?.GetValue<int>() ?? throw new InvalidDataException($"{source}: the config has no '{key}'.");
            return new CoTransformerConfig
            {
                Name = o["name"]?.GetValue<string>() ?? "cotrans", NumClasses = Get("classes"),
                Backbone = MoViNetConfigJson.Read((o["backbone"] ?? throw new InvalidDataException($"{source}: the config has no 'backbone'.")).ToJsonString(), source),
                Channels = Get("channels"), Heads = Get("heads"), FeedForward = Get("feed_forward"), Blocks = Get("blocks"), Window = Get("window"),
            };
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{source}: not a continual-transformer config ({e.Message})."); }
    }

    public IReadOnlyList<ICheckpointLayout> Layouts => [];
}
