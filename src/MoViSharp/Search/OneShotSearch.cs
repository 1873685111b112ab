using System.Diagnostics;
using System.Text.Json.Nodes;
using MoViSharp.Data;
using MoViSharp.Data.Synthetic;
using MoViSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>One controller step: the sampled path, its accuracy on a validation batch, its cost and reward.</summary>
public sealed record OneShotStep(int Step, int Epoch, double Loss, double Accuracy, double Cost, double Reward, double Baseline, MoViNetArchitecture Architecture)
{
    public JsonObject ToJson() => new()
    {
        ["step"] = Step, ["epoch"] = Epoch, ["loss"] = Loss, ["accuracy"] = Accuracy, ["cost"] = Cost, ["reward"] = Reward,
        ["baseline"] = Baseline, ["architecture"] = Architecture.ToJson(),
    };

    public static OneShotStep FromJson(JsonNode? node, string source)
    {
        var o = node as JsonObject ?? throw new InvalidDataException($"{source}: a step must be an object.");
        return new OneShotStep(Json.Int(o, "step", source), Json.Int(o, "epoch", source), Json.Double(o, "loss", source), Json.Double(o, "accuracy", source),
            Json.Double(o, "cost", source), Json.Double(o, "reward", source), Json.Double(o, "baseline", source),
            MoViNetArchitecture.FromJson(o["architecture"], $"{source}: architecture"));
    }
}

/// <summary>What a one-shot search found: the controller's argmax and, per finished epoch, the argmax then (supernet accuracy on the whole validation set).</summary>
public sealed record OneShotResult(
    int[] Path, MoViNetArchitecture Architecture, double Cost, ReinforceController Controller,
    IReadOnlyList<EvaluatedArchitecture> Epochs, IReadOnlyList<OneShotStep> Steps, bool Completed);

/// <summary>
/// TuNAS-style one-shot search over a <see cref="OneShotSpace"/>: a <see cref="OneShotSupernet"/> trained on the target clips
/// while a <see cref="ReinforceController"/> learns which path to prefer. Warm-up epochs train only the shared weights on
/// uniformly sampled paths; afterwards every training batch takes one weight step on a path sampled from the controller, then
/// one controller step: a fresh path is sampled, scored on the next validation batch (no gradient; batch norm in training mode,
/// as TuNAS, so a path is judged with its own statistics) and priced by the cost model (cached per point), and REINFORCE moves
/// the controller by its reward. The result is the controller's argmax. Every draw follows the seed (paths from generators
/// seeded by (seed, step), weights and data order from the seed), so with a deterministic cost a seed gives one result.
/// With a <c>statePath</c> the search is resumable at epoch boundaries (<see cref="OneShotState"/>): an interrupted search returns
/// the argmax so far, and a rerun continues after the last finished epoch, reaching the uninterrupted result.
/// </summary>
public sealed class OneShotSearch(MoViNetSearchSpace space, IArchitectureCost cost, ClipDataset train, ClipDataset validation, OneShotSettings settings, string? statePath = null)
{
    private readonly Dictionary<MoViNetArchitecture, double> costs = [];

    /// <summary>After every controller step.</summary>
    public event Action<OneShotStep>? Stepped;
    /// <summary>After every epoch: the epoch (0-based), whether it was warm-up, and the argmax entry (null during warm-up).</summary>
    public event Action<int, bool, EvaluatedArchitecture?>? EpochDone;

    public double CostOf(MoViNetArchitecture a)
    {
        if (!costs.TryGetValue(a, out double c)) costs[a] = c = cost.Of(a);
        return c;
    }

    public OneShotResult Run(CancellationToken cancellationToken = default, TimeSpan? budget = null)
    {
        settings.Validate();
        var shot = new OneShotSpace(space, settings.ExpansionChoices);
        var clock = Stopwatch.StartNew();
        torch.manual_seed(settings.Seed);
        using var supernet = new OneShotSupernet(shot, train.Classes.Count);
        var a0 = shot.ToArchitecture(shot.Largest());
        var sampling = new FrameSampling(a0.Frames, a0.FrameStride);
        var trainLoader = new ClipLoader(train, new ClipLoaderOptions
        {
            Sampling = sampling, Size = a0.Resolution, BatchSize = settings.BatchSize, Train = true, DropLast = true, Seed = settings.Seed,
            Augmentation = new ClipAugmentation { MinArea = 0.5 },
        });
        if (trainLoader.BatchesPerEpoch == 0) throw new ArgumentException($"{train.Source}: {train.Count} clips make no full batch of {settings.BatchSize}.");
        var valLoader = new ClipLoader(validation, new ClipLoaderOptions { Sampling = sampling, Size = a0.Resolution, BatchSize = settings.BatchSize });
        if (validation.Count == 0) throw new ArgumentException($"{validation.Source}: no validation clips to score paths on.");

        var parameters = supernet.parameters().ToList();
        using var optimizer = new HeldScalarAdamW(
        [
            new AdamW.ParamGroup { Parameters = parameters.Where(p => p.dim() > 1).ToList(), Options = new AdamW.Options { weight_decay = settings.WeightDecay } },
            new AdamW.ParamGroup { Parameters = parameters.Where(p => p.dim() <= 1).ToList(), Options = new AdamW.Options { weight_decay = 0 } },
        ], settings.LearningRate);
        var controller = new ReinforceController(shot.Decisions.Select(d => d.Count), settings.ControllerLearningRate, settings.BaselineMomentum);
        var steps = new List<OneShotStep>();
        var epochs = new List<EvaluatedArchitecture>();
        int step = 0, firstEpoch = 0;
        if (statePath is not null && File.Exists(statePath))
            (firstEpoch, step) = OneShotState.Load(statePath, settings, space, cost.Name, supernet, optimizer, controller, epochs, steps);
        // A resumed search continues the validation batches where the interrupted one was (one per controller step): whole
        // passes are skipped without loading (validation loaders do not shuffle), the rest of a pass batch by batch.
        int perPass = valLoader.BatchesPerEpoch;
        using var validationBatches = Cycle(valLoader, steps.Count / perPass, cancellationToken).GetEnumerator();
        for (int i = 0; i < steps.Count % perPass; i++) { validationBatches.MoveNext(); validationBatches.Current.Dispose(); }
        bool completed = true;
        try
        {
            for (int epoch = firstEpoch; epoch < settings.Epochs && completed; epoch++)
            {
                bool warmup = epoch < settings.WarmupEpochs;
                torch.manual_seed(settings.Seed * 1000 + epoch);
                foreach (var batch in trainLoader.Epoch(epoch, cancellationToken))
                    using (batch)
                    {
                        if (cancellationToken.IsCancellationRequested || budget is { } b && clock.Elapsed >= b) { completed = false; break; }
                        var random = new SplitMix64(SplitMix64.Hash((ulong)settings.Seed, 0x05407, (ulong)step));
                        var path = warmup ? Uniform(shot, ref random) : controller.Sample(ref random);
                        double loss = WeightStep(supernet, optimizer, batch, path);
                        if (!warmup)
                        {
                            validationBatches.MoveNext();
                            var probe = controller.Sample(ref random);
                            var a = shot.ToArchitecture(probe);
                            double accuracy;
                            using (var probeBatch = validationBatches.Current) accuracy = Accuracy(supernet, probeBatch, probe);
                            double c = CostOf(a), reward = settings.Reward(accuracy, c);
                            controller.Update(probe, reward);
                            var s = new OneShotStep(step, epoch, loss, accuracy, c, reward, controller.Baseline!.Value, a);
                            steps.Add(s);
                            Stepped?.Invoke(s);
                        }
                        step++;
                    }
                if (cancellationToken.IsCancellationRequested) completed = false;
                if (!completed) break;
                EvaluatedArchitecture? entry = null;
                if (!warmup)
                {
                    var best = controller.Argmax();
                    var a = shot.ToArchitecture(best);
                    entry = new EvaluatedArchitecture(epochs.Count, null, $"argmax after epoch {epoch + 1} (supernet accuracy)", a, CostOf(a), true,
                        Accuracy(supernet, valLoader, best, cancellationToken), clock.Elapsed.TotalSeconds);
                    epochs.Add(entry);
                }
                if (statePath is not null) OneShotState.Save(statePath, epoch + 1, step, settings, space, cost.Name, supernet, optimizer, controller, epochs, steps);
                EpochDone?.Invoke(epoch, warmup, entry);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { completed = false; }
        var final = controller.Argmax();
        var arch = shot.ToArchitecture(final);
        return new OneShotResult(final, arch, CostOf(arch), controller, epochs, steps, completed);
    }

    private static int[] Uniform(OneShotSpace shot, ref SplitMix64 random)
    {
        var path = new int[shot.Decisions.Count];
        for (int d = 0; d < path.Length; d++) path[d] = random.NextInt(shot.Decisions[d].Count);
        return path;
    }

    private static double WeightStep(OneShotSupernet supernet, OptimizerHelper optimizer, ClipBatch batch, int[] path)
    {
        using var scope = NewDisposeScope();
        supernet.train();
        // Gradients set to none, not zero: AdamW then skips the candidates off this path instead of moving them by their old moments.
        supernet.zero_grad(set_to_none: true);
        var loss = nn.functional.cross_entropy(supernet.Forward(batch.Clips, path), batch.Labels);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) throw new InvalidOperationException($"The supernet's loss became {value}; lower the learning rate.");
        loss.backward();
        optimizer.step();
        return value;
    }

    private static double Accuracy(OneShotSupernet supernet, ClipBatch batch, int[] path)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        supernet.train();
        return supernet.Forward(batch.Clips, path).argmax(1).eq(batch.Labels).sum().item<long>() / (double)batch.Count;
    }

    private static double Accuracy(OneShotSupernet supernet, ClipLoader loader, int[] path, CancellationToken cancellationToken)
    {
        long correct = 0, total = 0;
        foreach (var batch in loader.Epoch(0, cancellationToken))
            using (batch)
            {
                correct += (long)Math.Round(Accuracy(supernet, batch, path) * batch.Count);
                total += batch.Count;
            }
        return total == 0 ? double.NaN : correct / (double)total;
    }

    /// <summary>The validation batches, epoch after epoch (the same order each pass: validation loaders do not shuffle).</summary>
    private static IEnumerable<ClipBatch> Cycle(ClipLoader loader, int firstPass, CancellationToken cancellationToken)
    {
        for (int epoch = firstPass; ; epoch++)
            foreach (var batch in loader.Epoch(epoch, cancellationToken)) yield return batch;
    }
}
