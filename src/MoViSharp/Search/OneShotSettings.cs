using System.Text.Json.Nodes;

namespace MoViSharp.Search;

/// <summary>
/// The budget and knobs of a one-shot search. The reward of a path is TuNAS's absolute-value reward
/// <c>accuracy + β·|cost/target − 1|</c> with <see cref="Beta"/> &lt; 0: it pulls the controller towards the target cost from both
/// sides (a cheaper network is not rewarded for being cheaper than asked).
/// </summary>
public sealed record OneShotSettings
{
    /// <summary>Passes over the training clips in all, warm-up included.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>First epochs that train only the shared weights, on uniformly sampled paths (the controller stays uniform).</summary>
    public int WarmupEpochs { get; init; } = 3;
    public int BatchSize { get; init; } = 8;
    /// <summary>AdamW learning rate of the shared weights (constant).</summary>
    public double LearningRate { get; init; } = 3e-3;
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>Step size of the controller's REINFORCE updates on its logits.</summary>
    public double ControllerLearningRate { get; init; } = 1.0;
    public double BaselineMomentum { get; init; } = 0.95;
    /// <summary>The cost penalty's weight; must be negative.</summary>
    public double Beta { get; init; } = -0.5;
    /// <summary>The cost the reward aims at, in the cost's unit.</summary>
    public required double Target { get; init; }
    /// <summary>Expansion widths per layer in the supernet (spread over the space's range).</summary>
    public int ExpansionChoices { get; init; } = 3;
    public long Seed { get; init; } = 1;

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"One-shot epochs must be at least 1, got {Epochs}.");
        if (WarmupEpochs < 0 || WarmupEpochs >= Epochs) throw new ArgumentException($"Warm-up epochs must lie in [0, {Epochs}) so the controller trains, got {WarmupEpochs}.");
        if (BatchSize < 1) throw new ArgumentException($"The batch size must be positive, got {BatchSize}.");
        if (!(LearningRate > 0) || !(ControllerLearningRate > 0)) throw new ArgumentException("Learning rates must be positive.");
        if (BaselineMomentum is < 0 or >= 1) throw new ArgumentException($"The baseline momentum must lie in [0, 1), got {BaselineMomentum}.");
        if (!(Beta < 0)) throw new ArgumentException($"β must be negative (it penalises the distance to the target cost), got {Beta}.");
        if (!(Target > 0)) throw new ArgumentException($"The target cost must be positive, got {Target}.");
        if (ExpansionChoices < 1) throw new ArgumentException($"At least one expansion choice per layer, got {ExpansionChoices}.");
    }

    /// <summary>TuNAS's absolute-value reward.</summary>
    public double Reward(double accuracy, double cost) => accuracy + Beta * Math.Abs(cost / Target - 1);

    public JsonObject ToJson() => new()
    {
        ["epochs"] = Epochs, ["warmup_epochs"] = WarmupEpochs, ["batch_size"] = BatchSize, ["learning_rate"] = LearningRate,
        ["weight_decay"] = WeightDecay, ["controller_learning_rate"] = ControllerLearningRate, ["baseline_momentum"] = BaselineMomentum,
        ["beta"] = Beta, ["target"] = Target, ["expansion_choices"] = ExpansionChoices, ["seed"] = Seed,
    };
}
