using System.Diagnostics;
using MoViSharp.Data.Synthetic;
using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>
/// Runtime-constrained evolution over any <see cref="ISearchSpace"/> (MoViNet, TVN). Step k draws from a generator seeded by (seed, k):
/// while the population is not full, the next of the given initial points (e.g. a known good network, so that the search starts
/// in a region random draws under the limit rarely reach), then random points; then a tournament among the population picks the fittest parent and one
/// choice of it mutates. A child over the cost limit is rejected untrained; a feasible one is trained briefly with seed
/// (seed, id), joins the population and retires the oldest member (or the least fit, <see cref="EvolutionSettings.Retire"/>). The state is saved after every proposal, so an interrupted
/// search resumed from its state file reaches the same result as an uninterrupted one (exactly so with a deterministic cost
/// and evaluator).
/// </summary>
public sealed class EvolutionSearch(ISearchSpace space, IArchitectureCost cost, IArchitectureEvaluator evaluator, EvolutionSettings settings, string statePath,
                                     IReadOnlyList<ISearchPoint>? initial = null)
{
    private readonly IReadOnlyList<ISearchPoint> initial = initial ?? [];

    /// <summary>After every proposal (trained, reused or rejected), with the state that now holds it.</summary>
    public event Action<EvaluatedArchitecture, EvolutionState>? Proposed;

    /// <summary>A candidate better than every earlier one, with its trained model (valid only during the call).</summary>
    public event Action<EvaluatedArchitecture, VideoModel>? NewBest;

    /// <summary>The saved state of <see cref="statePath"/> when it exists (checked against this search), else a new one.</summary>
    public EvolutionState LoadOrCreate()
    {
        settings.Validate();
        if (initial.Count > settings.PopulationSize)
            throw new ArgumentException($"{initial.Count} initial points do not fit a population of {settings.PopulationSize}.");
        for (int i = 0; i < initial.Count; i++)
            if (space.Violations(initial[i]) is { Count: > 0 } v)
                throw new ArgumentException($"Initial point {i + 1} is not a point of the '{space.Name}' space: {string.Join("; ", v)}.");
        if (!File.Exists(statePath)) return new EvolutionState { Settings = settings, Space = space, CostName = cost.Name, Initial = [.. initial] };
        var state = EvolutionState.Load(statePath);
        var problems = new List<string>();
        if (state.Settings != settings) problems.Add($"settings {state.Settings.ToJson().ToJsonString()} vs {settings.ToJson().ToJsonString()}");
        if (state.Space.ToJsonText() != space.ToJsonText()) problems.Add($"space '{state.Space.Name}' ({state.Space.Kind}) vs '{space.Name}' ({space.Kind}) (or their choices differ)");
        if (state.CostName != cost.Name) problems.Add($"cost {state.CostName} vs {cost.Name}");
        if (!state.Initial.SequenceEqual(initial))
            problems.Add($"{state.Initial.Count} vs {initial.Count} initial points (or they differ)");
        if (problems.Count > 0)
            throw new InvalidOperationException($"{statePath} belongs to another search ({string.Join("; ", problems)}); resume with the same options or use another output folder.");
        return state;
    }

    /// <summary>Runs until <see cref="EvolutionSettings.MaxEvaluations"/> candidates are trained, the time budget is spent or cancellation.</summary>
    public EvolutionState Run(CancellationToken cancellationToken = default, TimeSpan? budget = null)
    {
        var state = LoadOrCreate();
        var clock = Stopwatch.StartNew();
        double before = state.ElapsedSeconds;
        int sinceEvaluation = 0;
        while (state.Evaluations < settings.MaxEvaluations && !cancellationToken.IsCancellationRequested)
        {
            if (budget is { } b && clock.Elapsed >= b) break;
            if (++sinceEvaluation > settings.MaxProposalsPerEvaluation)
                throw new InvalidOperationException($"{settings.MaxProposalsPerEvaluation} proposals in a row were over the cost limit {settings.CostLimit:G4} {cost.Unit} " +
                                                    "or already evaluated: the limit is below what this space offers, or the space is used up; raise the limit or widen the space.");
            var random = new SplitMix64(SplitMix64.Hash((ulong)settings.Seed, 0xE70, (ulong)state.Proposals));
            var (candidate, parent, change) = Propose(state, ref random);
            int id = state.History.Count;
            double c = cost.Of(candidate);
            EvaluatedArchitecture entry;
            if (c > settings.CostLimit)
                entry = new EvaluatedArchitecture(id, parent, change, candidate, c, false, double.NaN, 0);
            else if (state.History.FirstOrDefault(h => h.Trained && h.Architecture.Equals(candidate)) is { } seen)
                entry = new EvaluatedArchitecture(id, parent, change, candidate, seen.Cost, true, seen.Accuracy, 0, seen.DuplicateOf ?? seen.Id);
            else
            {
                var previousBest = state.Best;
                CandidateResult result;
                try { result = evaluator.Evaluate(candidate, (long)(SplitMix64.Hash((ulong)settings.Seed, 0xC41D, (ulong)id) >> 1), cancellationToken); }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { break; }
                using (result)
                {
                    entry = new EvaluatedArchitecture(id, parent, change, candidate, c, true, result.Accuracy, result.Seconds);
                    if (result.Model is not null && (previousBest is null || EvaluatedArchitecture.Better(entry, previousBest))) NewBest?.Invoke(entry, result.Model);
                }
                sinceEvaluation = 0;
            }
            state.History.Add(entry);
            state.Proposals++;
            if (entry.Feasible)
            {
                state.Population.Add(id);
                if (state.Population.Count > settings.PopulationSize) state.Population.RemoveAt(Retiring(state));
            }
            state.ElapsedSeconds = before + clock.Elapsed.TotalSeconds;
            state.Save(statePath);
            Proposed?.Invoke(entry, state);
        }
        return state;
    }

    /// <summary>The population index of the member that leaves.</summary>
    private int Retiring(EvolutionState state)
    {
        if (settings.Retire == Retirement.Oldest) return 0;
        int worst = 0;
        for (int i = 1; i < state.Population.Count; i++)
            if (EvaluatedArchitecture.Better(state.History[state.Population[worst]], state.History[state.Population[i]])) worst = i;
        return worst;
    }

    private (ISearchPoint, int?, string) Propose(EvolutionState state, ref SplitMix64 random)
    {
        if (state.Population.Count < settings.PopulationSize)
            return state.Proposals < initial.Count ? (initial[state.Proposals], null, "initial") : (space.Sample(ref random), null, "random");
        // Tournament: distinct members drawn uniformly; the fittest wins.
        var pool = state.Population.ToList();
        EvaluatedArchitecture? parent = null;
        for (int i = 0; i < settings.TournamentSize; i++)
        {
            int pick = random.NextInt(pool.Count);
            var member = state.History[pool[pick]];
            pool.RemoveAt(pick);
            if (parent is null || EvaluatedArchitecture.Better(member, parent)) parent = member;
        }
        var (child, change) = space.Mutate(parent!.Architecture, ref random);
        return (child, parent.Id, change);
    }
}
