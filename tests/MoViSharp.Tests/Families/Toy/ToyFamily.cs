using System.Text.Json;
using MoViSharp.Models;

namespace MoViSharp.Tests.Families.Toy;

/// <summary>The toy family in the registry: found because this assembly references MoViSharp and this class is public.</summary>
public sealed class ToyFamily : IModelFamily
{
    public string Name => ToyConfig.FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
    [
        new("toy-s", new ToyConfig { Name = "toy-s", NumClasses = 5 }, "A two-block causal toy model (tests)"),
        new("toy-m", new ToyConfig { Name = "toy-m", NumClasses = 5, Width = 16, Blocks = 3, TemporalKernel = 5 }, "A wider toy model (tests)"),
    ];

    public VideoModel Build(ModelConfig config) => new ToyNet(config as ToyConfig ?? throw new ArgumentException("Not a toy configuration."));

    public string WriteConfig(ModelConfig config) => JsonSerializer.Serialize((ToyConfig)config with { });

    public ModelConfig ReadConfig(string json, string source) =>
        JsonSerializer.Deserialize<ToyConfig>(json) ?? throw new InvalidDataException($"{source}: not a toy configuration.");

    public IReadOnlyList<ICheckpointLayout> Layouts => [];
}
