namespace MoViSharp.Training;

/// <summary>One optimizer step: mean loss, correct top-1 predictions of the batch, batch size, learning rate used.</summary>
public readonly record struct StepResult(double Loss, int Correct, int Count, double LearningRate);
