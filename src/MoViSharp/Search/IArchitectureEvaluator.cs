using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>Scores a point: trains it briefly (or evaluates it otherwise) and reports validation accuracy.</summary>
public interface IArchitectureEvaluator
{
    /// <summary>
    /// The accuracy of <paramref name="architecture"/> trained with <paramref name="seed"/>; the trained model comes back
    /// (owned by the caller) so the search can keep the best one's weights. The same seed must give the same result.
    /// </summary>
    CandidateResult Evaluate(ISearchPoint architecture, long seed, CancellationToken cancellationToken);
}

/// <summary>An evaluated candidate: validation top-1 in [0, 1], seconds spent, and the trained model (may be null).</summary>
public sealed record CandidateResult(double Accuracy, double Seconds, VideoModel? Model) : IDisposable
{
    public void Dispose() => Model?.Dispose();
}
