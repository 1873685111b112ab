namespace MoViSharp.Models;

/// <summary>A named model in the registry: its family, its configuration (data) and what is known of its published weights.</summary>
public sealed record ModelEntry(string Name, ModelConfig Config, string Description, PretrainedWeights? Weights = null)
{
    public string Family => Config.Family;
}
