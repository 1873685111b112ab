namespace MoViSharp.Search;

/// <summary>What a searched network costs: per-frame latency measured on this machine, multiply-adds, or parameters.</summary>
public interface IArchitectureCost
{
    /// <summary>latency, macs or params.</summary>
    string Name { get; }
    /// <summary>The unit of <see cref="Of"/>, e.g. "ms/frame".</summary>
    string Unit { get; }
    /// <summary>True when equal points always cost the same (multiply-adds, parameters), so runs are reproducible bit for bit.</summary>
    bool Deterministic { get; }
    double Of(ISearchPoint architecture);
}
