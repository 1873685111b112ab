using MoViSharp.Models;

namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// Tiny Video Networks (Piergiovanni, Angelova, Ryoo; arXiv 1910.06961) in the registry: <c>tvn1</c> … <c>tvn4</c> from the searched
/// architectures of google-research tiny_video_nets. No weights were published, so there is no upstream layout: the models train
/// and load as MoViSharp safetensors only.
/// </summary>
public sealed class TvnFamily : IModelFamily
{
    public const string FamilyName = "tvn";

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["tvn1"] = "TVN-1: 2 frames 4 apart, 224², 4 searched blocks (no published weights)",
        ["tvn2"] = "TVN-2: 2 frames 7 apart, 256², 7 searched blocks (no published weights)",
        ["tvn3"] = "TVN-3: 8 frames 2 apart, 160², 4 searched blocks (no published weights)",
        ["tvn4"] = "TVN-4: 8 frames 4 apart, 128², 3 searched blocks (no published weights)",
    };

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
        TvnSpecs.Names.Select(n => new ModelEntry(n, TvnSpecs.Get(n), $"{Descriptions[n]}; {TvnSpecs.AnalyticParameters[n]:N0} parameters")).ToList();

    public VideoModel Build(ModelConfig config) => new TvnNet(As(config));

    public string WriteConfig(ModelConfig config) => TvnConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => TvnConfigJson.Read(json, source);

    /// <summary>None: TVN weights were never released.</summary>
    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [];

    private static TvnConfig As(ModelConfig config) => config as TvnConfig
        ?? throw new ArgumentException($"The TVN family cannot build a '{config.Family}' configuration.");
}
