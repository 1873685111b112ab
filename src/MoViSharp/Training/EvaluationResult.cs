namespace MoViSharp.Training;

/// <summary>
/// What <see cref="Evaluator"/> measured: metrics of the final logits and, for causal classifiers, top-1 accuracy after each number of
/// frames seen (from one causal forward pass: the logits at every output position).
/// </summary>
public sealed record EvaluationResult(ClassificationMetrics Metrics, IReadOnlyList<(int Frames, double Accuracy)> AccuracyVsFrames, double Seconds)
{
    public double ClipsPerSecond => Seconds > 0 ? Metrics.Clips / Seconds : 0;
}
