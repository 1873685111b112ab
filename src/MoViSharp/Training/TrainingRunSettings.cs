using MoViSharp.Data;

namespace MoViSharp.Training;

/// <summary>Everything a <see cref="TrainingRun"/> needs besides the model.</summary>
public sealed record TrainingRunSettings
{
    public required string OutputDirectory { get; init; }
    public required TrainingOptions Training { get; init; }
    public required ClipDataset TrainData { get; init; }
    public required ClipLoaderOptions TrainLoader { get; init; }
    public ClipDataset? ValData { get; init; }
    public ClipLoaderOptions? ValLoader { get; init; }
    /// <summary>Recorded in command.txt and in every checkpoint's metadata.</summary>
    public string CommandLine { get; init; } = "";
    /// <summary>Continue from the last epoch_NNN checkpoint and optimizer state in this folder.</summary>
    public string? ResumeDirectory { get; init; }
    /// <summary>Extra metadata for every checkpoint (e.g. the ensemble member).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
