using MoViSharp.Models;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// The MoViNet family in the registry: A0–A5 and T0, each <c>-base</c> (3-D, SE over the clip, non-causal) and <c>-stream</c>
/// (causal (2+1)D with stream buffers), with the Kinetics-600 figures of the official checkpoints (movinet.md §3.1); the bare
/// name (<c>a0</c>) is the base model. Checkpoint layouts: the PyTorch port (<see cref="PortLayout"/>); TFLite models are
/// imported by following their graph (<see cref="Weights.Layouts.TfliteMoViNetImporter"/>).
/// </summary>
public sealed class MoViNetFamily : IModelFamily
{
    public const string FamilyName = "movinet";

    // Published Kinetics-600 top-1 (base, stream) of the official checkpoints.
    private static readonly Dictionary<string, (double Base, double Stream)> Top1 = new()
    {
        ["a0"] = (72.28, 72.05), ["a1"] = (76.69, 76.45), ["a2"] = (78.62, 78.40),
        ["a3"] = (81.79, 80.09), ["a4"] = (83.48, 81.49), ["a5"] = (84.27, 82.37), ["t0"] = (68.40, double.NaN),
    };

    private static readonly Dictionary<string, double> GigaMacs = new()
    {
        ["a0"] = 2.7, ["a1"] = 6.0, ["a2"] = 10, ["a3"] = 57, ["a4"] = 110, ["a5"] = 280,
    };

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } = MoViNetSpecs.Names.SelectMany(Entries).ToList();

    private static IEnumerable<ModelEntry> Entries(string name)
    {
        foreach (var variant in new[] { MoViNetVariant.Base, MoViNetVariant.Stream })
        {
            var config = MoViNetSpecs.Get(name, variant);
            double top1 = variant == MoViNetVariant.Base ? Top1[name].Base : Top1[name].Stream;
            var weights = new PretrainedWeights
            {
                Source = "TF Model Garden / TF Hub MoViNet checkpoints (tensorflow/models official/projects/movinet)",
                LabelSet = "kinetics600",
                Top1 = double.IsNaN(top1) ? null : top1,
                Top1Protocol = "Kinetics-600, 1 clip × 1 centre crop at the training resolution",
                GigaMultiplyAdds = GigaMacs.TryGetValue(name, out var g) ? g : null,
                FiguresSource = "movinet.md §3.1 (TF README)",
            };
            string description = variant == MoViNetVariant.Base
                ? $"MoViNet-{name.ToUpperInvariant()} base: 3-D convs, SE over the clip ({config.NativeFrames}×{config.NativeSize}²)"
                : $"MoViNet-{name.ToUpperInvariant()}-Stream: causal (2+1)D, stream buffers, one prediction per frame";
            var entry = new ModelEntry(config.Id, config, description, weights);
            yield return entry;
            if (variant == MoViNetVariant.Base) yield return entry with { Name = name };
        }
    }

    public VideoModel Build(ModelConfig config) => new MoViNet(As(config));

    public string WriteConfig(ModelConfig config) => MoViNetConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => MoViNetConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new PortLayout()];

    private static MoViNetConfig As(ModelConfig config) => config as MoViNetConfig
        ?? throw new ArgumentException($"The MoViNet family cannot build a '{config.Family}' configuration.");
}
