using MoViSharp.Data.Synthetic;
using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>
/// Compound-scaling random search (movisharp scale): around a base point of a MoViNet or TVN space, draws width and depth
/// multipliers and input resolution, frames and frame stride from the given choices, rejects draws over the cost limit
/// untrained, trains and scores the rest with the same brief budget as a search. Deterministic by seed (draw k uses (seed, k);
/// candidate k trains with (seed, k)), which is what makes a stopped run resumable: its log's proposals are the first draws of
/// the same run, kept instead of measured and trained again.
/// </summary>
public sealed class ScalingSearch(IScalableSearchSpace space, ISearchPoint basePoint, IArchitectureCost cost, IArchitectureEvaluator evaluator, ScalingChoices choices, double limit, long seed)
{
    public event Action<EvaluatedArchitecture, IReadOnlyList<EvaluatedArchitecture>>? Proposed;
    public event Action<EvaluatedArchitecture, VideoModel>? NewBest;

    /// <param name="resumed">The proposals of a stopped run with the same settings (its log), in order; each must be the draw
    /// this run makes at its position, else the log is of another seed or other choices and is refused.</param>
    public IReadOnlyList<EvaluatedArchitecture> Run(int samples, CancellationToken cancellationToken = default, IReadOnlyList<EvaluatedArchitecture>? resumed = null)
    {
        var history = new List<EvaluatedArchitecture>();
        resumed ??= [];
        var seen = new HashSet<CompoundScaling>();
        int draws = 0;
        while (history.Count(h => h.Trained) < samples && draws < samples * 50 && !cancellationToken.IsCancellationRequested)
        {
            var random = new SplitMix64(SplitMix64.Hash((ulong)seed, 0x5CA1E, (ulong)draws++));
            var scaling = new CompoundScaling(ArchitectureSampler.Pick(choices.Widths, ref random), ArchitectureSampler.Pick(choices.Depths, ref random),
                ArchitectureSampler.Pick(choices.Resolutions, ref random), ArchitectureSampler.Pick(choices.Frames, ref random),
                ArchitectureSampler.Pick(choices.FrameStrides, ref random));
            if (!seen.Add(scaling)) continue;
            int id = history.Count;
            if (id < resumed.Count)
            {
                if (resumed[id].Change != scaling.ToString())
                    throw new InvalidOperationException($"Proposal #{id} of the log being resumed is '{resumed[id].Change}', but this run draws '{scaling}' there: the log is of another seed or other choices.");
                history.Add(resumed[id]);
                continue;
            }
            var point = space.Scale(basePoint, scaling);
            double c = cost.Of(point);
            EvaluatedArchitecture entry;
            if (c > limit) entry = new EvaluatedArchitecture(id, null, scaling.ToString(), point, c, false, double.NaN, 0);
            else
            {
                var best = history.Where(h => h.Trained).Aggregate((EvaluatedArchitecture?)null, (b, h) => b is null || EvaluatedArchitecture.Better(h, b) ? h : b);
                CandidateResult result;
                try { result = evaluator.Evaluate(point, (long)(SplitMix64.Hash((ulong)seed, 0xC41D, (ulong)id) >> 1), cancellationToken); }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { break; }
                using (result)
                {
                    entry = new EvaluatedArchitecture(id, null, scaling.ToString(), point, c, true, result.Accuracy, result.Seconds);
                    if (result.Model is not null && (best is null || EvaluatedArchitecture.Better(entry, best))) NewBest?.Invoke(entry, result.Model);
                }
            }
            history.Add(entry);
            Proposed?.Invoke(entry, history);
        }
        return history;
    }
}

/// <summary>The values compound scaling draws from.</summary>
public sealed record ScalingChoices(IReadOnlyList<double> Widths, IReadOnlyList<double> Depths, IReadOnlyList<int> Resolutions, IReadOnlyList<int> Frames, IReadOnlyList<int> FrameStrides);
