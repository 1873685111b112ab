namespace MoViSharp.Training;

/// <summary>Progress within an epoch: running mean loss and accuracy so far, and throughput.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double ClipsPerSecond, double LearningRate);
