using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;

namespace MoViSharp.Search;

/// <summary>
/// TuNAS's controller: independent categorical logits per decision (all zero at the start: a uniform distribution), a path
/// sampled choice by choice, and REINFORCE with a moving-average baseline: after a path of reward R, every decision's logits
/// move by lr·(R − baseline)·(onehot(choice) − p) (the gradient of log p(choice)), then baseline ← m·baseline + (1 − m)·R.
/// Plain gradient ascent in doubles: no tensors, so runs agree bit for bit for a seed.
/// </summary>
public sealed class ReinforceController
{
    private readonly double[][] logits;

    public double LearningRate { get; }
    public double BaselineMomentum { get; }
    /// <summary>The moving average of rewards (null before the first update).</summary>
    public double? Baseline { get; private set; }
    public int Updates { get; private set; }

    public ReinforceController(IEnumerable<int> choiceCounts, double learningRate, double baselineMomentum = 0.95)
    {
        logits = choiceCounts.Select(n => n >= 1 ? new double[n] : throw new ArgumentException("Every decision needs at least one choice.")).ToArray();
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), "The controller's learning rate must be positive.");
        if (baselineMomentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(baselineMomentum), "The baseline momentum must lie in [0, 1).");
        (LearningRate, BaselineMomentum) = (learningRate, baselineMomentum);
    }

    public int DecisionCount => logits.Length;

    /// <summary>The softmax of decision <paramref name="d"/>'s logits.</summary>
    public double[] Probabilities(int d)
    {
        double max = logits[d].Max();
        var e = logits[d].Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>One choice per decision, drawn from the current distributions.</summary>
    public int[] Sample(ref SplitMix64 random)
    {
        var path = new int[logits.Length];
        for (int d = 0; d < logits.Length; d++)
        {
            var p = Probabilities(d);
            double u = random.NextDouble(), acc = 0;
            int choice = p.Length - 1;
            for (int i = 0; i < p.Length; i++)
                if (u < (acc += p[i])) { choice = i; break; }
            path[d] = choice;
        }
        return path;
    }

    /// <summary>Every decision's most probable choice (the lowest index on ties).</summary>
    public int[] Argmax() => logits.Select(l => Array.IndexOf(l, l.Max())).ToArray();

    /// <summary>A REINFORCE step for <paramref name="path"/> of reward <paramref name="reward"/>; returns the advantage used.</summary>
    public double Update(IReadOnlyList<int> path, double reward)
    {
        if (path.Count != logits.Length) throw new ArgumentException($"A path has {logits.Length} choices, got {path.Count}.", nameof(path));
        if (!double.IsFinite(reward)) throw new ArgumentException($"The reward must be finite, got {reward}.", nameof(reward));
        // The first reward seeds the baseline, so the first step does not push by the whole reward.
        double advantage = reward - (Baseline ?? reward);
        for (int d = 0; d < logits.Length; d++)
        {
            var p = Probabilities(d);
            for (int i = 0; i < p.Length; i++) logits[d][i] += LearningRate * advantage * ((i == path[d] ? 1 : 0) - p[i]);
        }
        Baseline = Baseline is { } b ? BaselineMomentum * b + (1 - BaselineMomentum) * reward : reward;
        Updates++;
        return advantage;
    }

    /// <summary>The raw logits, baseline and update count, for resuming (<see cref="Restore"/>).</summary>
    public JsonObject SaveState() => new()
    {
        ["baseline"] = Baseline,
        ["updates"] = Updates,
        ["logits"] = new JsonArray(logits.Select(l => (JsonNode)new JsonArray(l.Select(v => (JsonNode)v).ToArray())).ToArray()),
    };

    public void Restore(JsonObject state, string source)
    {
        var rows = Json.Array(state, "logits", source);
        if (rows.Count != logits.Length) throw new InvalidDataException($"{source}: {rows.Count} decisions of logits, the controller has {logits.Length}.");
        for (int d = 0; d < logits.Length; d++)
        {
            var row = rows[d] as JsonArray ?? throw new InvalidDataException($"{source}: logits[{d}] must be an array.");
            if (row.Count != logits[d].Length) throw new InvalidDataException($"{source}: logits[{d}] has {row.Count} choices, expected {logits[d].Length}.");
            for (int i = 0; i < row.Count; i++) logits[d][i] = row[i]!.GetValue<double>();
        }
        Baseline = state["baseline"]?.GetValue<double>();
        Updates = Json.Int(state, "updates", source);
    }

    public JsonObject ToJson(OneShotSpace? space = null) => new()
    {
        ["baseline"] = Baseline,
        ["updates"] = Updates,
        ["decisions"] = new JsonArray(logits.Select((_, d) => (JsonNode)new JsonObject
        {
            ["name"] = space?.Decisions[d].Name ?? $"d{d}",
            ["choices"] = space is null ? null : new JsonArray(space.Decisions[d].Choices.Select(c => (JsonNode)c).ToArray()),
            ["probabilities"] = new JsonArray(Probabilities(d).Select(p => (JsonNode)Math.Round(p, 4)).ToArray()),
        }).ToArray()),
    };
}
