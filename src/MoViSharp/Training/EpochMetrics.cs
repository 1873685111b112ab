namespace MoViSharp.Training;

/// <summary>One row of metrics.csv. Validation values are NaN when there is no validation set.</summary>
public sealed record EpochMetrics(int Epoch, double LearningRate, double TrainLoss, double TrainAccuracy, double ValTop1, double ValTop5, double ClipsPerSecond, double Seconds);
