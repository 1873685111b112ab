using System.Text.Json.Nodes;
using MoViSharp.Data;
using MoViSharp.Data.Synthetic;
using MoViSharp.Search;

namespace MoViSharp.Tests.Search;

[Collection(SeededTorchCollection.Name)]
public sealed class EvolutionSearchTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("movisharp-evolution-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private (ClipDataset Train, ClipDataset Val) Data()
    {
        string train = Path.Combine(root, "train"), val = Path.Combine(root, "val");
        SyntheticDatasetWriter.Write(train, perClass: 1, seed: 3, frames: 4, size: 16);
        SyntheticDatasetWriter.Write(val, perClass: 1, seed: 4, frames: 4, size: 16);
        var t = ClipDataset.Open(train);
        return (t, ClipDataset.Open(val, t.Classes));
    }

    private static readonly EvolutionSettings Settings = new() { PopulationSize = 2, TournamentSize = 2, MaxEvaluations = 4, Seed = 42 };

    private static double MedianMacs(ISearchSpace space, MacsCost cost)
    {
        var random = new SplitMix64(9);
        var costs = Enumerable.Range(0, 5).Select(_ => cost.Of(space.Sample(ref random))).Order().ToList();
        return costs[costs.Count / 2];
    }

    /// <summary>The history without wall-clock fields.</summary>
    private static string Trace(EvolutionState state) => new JsonArray(state.History.Select(h =>
    {
        var o = h.ToJson();
        o.Remove("train_seconds");
        return (JsonNode)o;
    }).ToArray()).ToJsonString() + $" population {string.Join(",", state.Population)} proposals {state.Proposals}";

    [Fact]
    public void An_interrupted_and_a_crashed_search_resume_to_the_uninterrupted_result()
    {
        var (train, val) = Data();
        var space = SearchTestSpaces.Tiny with { Causal = [true], DepthMax = 1, Frames = [2], Resolutions = [16] };
        int classes = train.Classes.Count;
        var cost = new MacsCost(space, classes);
        var settings = Settings with { CostLimit = MedianMacs(space, cost) * 1.2 };
        var evaluator = new BriefTrainingEvaluator(space, train, val, new BriefTraining { BatchSize = 4 });

        var whole = new EvolutionSearch(space, cost, evaluator, settings, Path.Combine(root, "whole.json")).Run();
        Assert.Equal(settings.MaxEvaluations, whole.Evaluations);
        Assert.Contains(whole.History, h => h.Parent is not null);                  // evolution got past the random start
        Assert.All(whole.History.Where(h => h.Feasible), h => Assert.True(h.Cost <= settings.CostLimit));
        Assert.All(whole.History.Where(h => !h.Feasible), h => Assert.True(double.IsNaN(h.Accuracy)));

        // Ctrl+C after the second evaluation, then a crash inside the fourth candidate's evaluation, then a clean finish.
        string path = Path.Combine(root, "resumed.json");
        using (var stop = new CancellationTokenSource())
        {
            var first = new EvolutionSearch(space, cost, evaluator, settings, path);
            first.Proposed += (_, s) => { if (s.Evaluations == 2) stop.Cancel(); };
            Assert.Equal(2, first.Run(stop.Token).Evaluations);
        }
        var crashing = new CrashingEvaluator(evaluator, crashOnCall: 1);
        Assert.Throws<IOException>(() => new EvolutionSearch(space, cost, crashing, settings, path).Run());
        Assert.Equal(3, EvolutionState.Load(path).Evaluations);
        var resumed = new EvolutionSearch(space, cost, evaluator, settings, path).Run();

        Assert.Equal(Trace(whole), Trace(resumed));
        Assert.Equal(whole.Best!.Id, resumed.Best!.Id);
    }

    [Fact]
    public void A_TVN_search_resumes_after_interruption_and_a_crash_to_the_uninterrupted_result()
    {
        var (train, val) = Data();
        var space = SearchTestSpaces.TinyTvn with { Frames = [2], ImageSizes = [16] };
        var cost = new MacsCost(space, train.Classes.Count);
        var settings = Settings with { CostLimit = MedianMacs(space, cost) * 1.2 };
        var evaluator = new BriefTrainingEvaluator(space, train, val, new BriefTraining { BatchSize = 4 });

        var whole = new EvolutionSearch(space, cost, evaluator, settings, Path.Combine(root, "whole.json")).Run();
        Assert.Equal(settings.MaxEvaluations, whole.Evaluations);
        Assert.Contains(whole.History, h => h.Parent is not null);
        Assert.All(whole.History, h => Assert.True(space.Contains((TvnArchitecture)h.Architecture)));
        Assert.All(whole.History.Where(h => h.Feasible), h => Assert.True(h.Cost <= settings.CostLimit));

        string path = Path.Combine(root, "resumed.json");
        using (var stop = new CancellationTokenSource())
        {
            var first = new EvolutionSearch(space, cost, evaluator, settings, path);
            first.Proposed += (_, s) => { if (s.Evaluations == 2) stop.Cancel(); };
            Assert.Equal(2, first.Run(stop.Token).Evaluations);
        }
        Assert.Throws<IOException>(() => new EvolutionSearch(space, cost, new CrashingEvaluator(evaluator, crashOnCall: 1), settings, path).Run());
        var saved = EvolutionState.Load(path);
        Assert.IsType<TvnSearchSpace>(saved.Space);
        Assert.Equal(3, saved.Evaluations);
        var resumed = new EvolutionSearch(space, cost, evaluator, settings, path).Run();

        Assert.Equal(Trace(whole), Trace(resumed));
        Assert.Equal(whole.Best!.Id, resumed.Best!.Id);
        // A MoViNet search's state is not a TVN search's.
        var movinet = SearchTestSpaces.Tiny with { Causal = [true] };
        var e = Assert.Throws<InvalidOperationException>(() => new EvolutionSearch(movinet, new MacsCost(movinet, 5), evaluator, settings, path).Run());
        Assert.Contains("(tvn) vs 'tiny' (movinet)", e.Message);
    }

    [Fact]
    public void A_state_file_of_another_search_is_refused()
    {
        var space = SearchTestSpaces.Tiny with { Causal = [true] };
        var cost = new MacsCost(space, 5);
        string path = Path.Combine(root, "state.json");
        new EvolutionState { Settings = Settings, Space = space, CostName = "macs" }.Save(path);
        var e = Assert.Throws<InvalidOperationException>(() => new EvolutionSearch(space, cost, new CrashingEvaluator(null!, 0), Settings with { Seed = 7 }, path).Run());
        Assert.Contains("another search", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Initial_points_are_proposed_first_and_fixed_for_the_resumed_run()
    {
        ISearchSpace space = SearchTestSpaces.Tiny with { Causal = [true] };
        var cost = new MacsCost(space, 5);
        var random = new SplitMix64(5);
        var points = Enumerable.Range(0, 40).Select(_ => space.Sample(ref random)).Distinct().ToList();
        var cheap = points.OrderBy(cost.Of).ToList();
        // The limit admits the cheapest third: the initial point is the most expensive feasible one, rarely drawn at random.
        var settings = Settings with { PopulationSize = 3, TournamentSize = 3, MaxEvaluations = 5, CostLimit = cost.Of(cheap[cheap.Count / 3]) };
        var seed = cheap[cheap.Count / 3];
        var evaluator = new ScoringEvaluator(seed);

        string path = Path.Combine(root, "initial.json");
        var state = new EvolutionSearch(space, cost, evaluator, settings, path, [seed]).Run();
        Assert.Equal(seed, state.History[0].Architecture);
        Assert.Equal("initial", state.History[0].Change);
        Assert.True(state.History[0].Trained);
        Assert.All(state.History.Skip(1).Where(h => h.Parent is null), h => Assert.Equal("random", h.Change));
        Assert.Contains(state.History, h => h.Parent == 0);                          // the tournament bred from it (it scores best)
        Assert.Equal(seed, EvolutionState.Load(path).Initial.Single());
        // Without a given initial point the first proposal is random: the option changes the run, so a resume must match it.
        var plain = new EvolutionSearch(space, cost, evaluator, settings, Path.Combine(root, "plain.json")).Run();
        Assert.Equal("random", plain.History[0].Change);
        var e = Assert.Throws<InvalidOperationException>(() => new EvolutionSearch(space, cost, evaluator, settings, path).Run());
        Assert.Contains("1 vs 0 initial points", e.Message);
        // Aging retired it after the first child; retiring the worst keeps it, the best, to the end, and drops the least fit.
        Assert.DoesNotContain(0, state.Population);
        var keeping = new EvolutionSearch(space, cost, evaluator, settings with { Retire = Retirement.Worst }, Path.Combine(root, "worst.json"), [seed]).Run();
        Assert.Contains(0, keeping.Population);
        var members = keeping.Population.Select(id => keeping.History[id].Accuracy).ToList();
        var left = keeping.History.Where(h => h.Trained && h.DuplicateOf is null && !keeping.Population.Contains(h.Id)).ToList();
        Assert.NotEmpty(left);
        Assert.All(left, h => Assert.True(h.Accuracy <= members.Min()));
        Assert.Equal("worst", EvolutionState.Load(Path.Combine(root, "worst.json")).Settings.ToJson()["retire"]!.GetValue<string>());
        // A point of another space is refused before anything runs.
        ISearchSpace other = SearchTestSpaces.Tiny with { Causal = [false] };
        var r = new SplitMix64(1);
        var outside = other.Sample(ref r);
        var bad = Assert.Throws<ArgumentException>(() => new EvolutionSearch(space, cost, evaluator, settings, Path.Combine(root, "bad.json"), [outside]).Run());
        Assert.StartsWith("Initial point 1 is not a point of the 'tiny' space:", bad.Message);
    }

    /// <summary>A stand-in for training, with no model: the favoured point scores 1, any other a fixed hash of its JSON below 1.</summary>
    private sealed class ScoringEvaluator(ISearchPoint favoured) : IArchitectureEvaluator
    {
        public CandidateResult Evaluate(ISearchPoint a, long seed, CancellationToken ct) =>
            new(a.Equals(favoured) ? 1 : a.ToJson().ToJsonString().Aggregate(17u, (h, c) => h * 31 + c) % 1000 / 1000.0, 0, null);
    }

    /// <summary>Throws like a crash (disk, kill) on its n-th call, otherwise delegates.</summary>
    private sealed class CrashingEvaluator(IArchitectureEvaluator inner, int crashOnCall) : IArchitectureEvaluator
    {
        private int calls;

        public CandidateResult Evaluate(ISearchPoint a, long seed, CancellationToken ct) =>
            calls++ == crashOnCall ? throw new IOException("simulated crash") : inner.Evaluate(a, seed, ct);
    }
}
