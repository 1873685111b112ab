namespace MoViSharp.Training;

/// <summary>Optimisation settings of a training run (the model's own knobs, dropout and stochastic depth, live in its config).</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    public double LearningRate { get; init; } = 3e-3;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    /// <summary>AdamW: decoupled decay; RMSprop: L2 added to the gradient. Applied to conv weights only, not to biases, BN or scales.</summary>
    public double WeightDecay { get; init; } = 0.05;
    public double RmsRho { get; init; } = 0.9;
    public double RmsMomentum { get; init; } = 0.9;
    /// <summary>PyTorch adds epsilon outside the square root (Keras: inside); with 1.0 both give a denominator near 1.</summary>
    public double RmsEpsilon { get; init; } = 1.0;
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Clip the global gradient norm to this (0 = off).</summary>
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>Linear warm-up steps before the cosine decay.</summary>
    public int WarmupSteps { get; init; }
    /// <summary>Causal models: split each clip into sub-clips of this many frames and carry the stream state between them (null: whole clip).</summary>
    public int? StreamBufferFrames { get; init; }
    /// <summary>Fine-tuning: train only the model's last part (its classifier head); every other parameter stays as loaded.</summary>
    public bool FreezeBackbone { get; init; }
    public long Seed { get; init; }
}
