namespace MoViSharp.Search;

/// <summary>How each candidate is trained before it is scored: a short, fixed budget, the same for every candidate.</summary>
public sealed record BriefTraining
{
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 3e-3;
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>Smallest random-resized-crop area (synthetic actions are small objects: a gentle crop by default).</summary>
    public double MinCropArea { get; init; } = 0.5;
}
