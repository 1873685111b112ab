namespace MoViSharp.Cluster;

/// <summary>
/// One stream of the cluster, keyed by its id: it holds the stream's state and advances it on its own timer, checkpointing it
/// so that it continues on another silo when its silo dies.
/// </summary>
public interface IStreamGrain : IGrainWithStringKey
{
    /// <summary>Starts a synthetic stream (the replayable source); a running stream ignores a second start.</summary>
    Task Start(ClusterStreamSpec spec);

    /// <summary>Wakes the grain: after a silo failure this reactivates it elsewhere, from its checkpoint.</summary>
    Task<ClusterStreamStatus> Ping();

    Task Stop();
}

/// <summary>A synthetic stream for the cluster: its seed, frame rate, model, and how many frames it runs (0: without end).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterStreamSpec([property: Id(0)] long Seed, [property: Id(1)] double Fps, [property: Id(2)] string? Model, [property: Id(3)] long MaxFrames);

/// <summary>Where a stream runs and how far it got.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterStreamStatus(
    [property: Id(0)] string StreamId, [property: Id(1)] string Silo, [property: Id(2)] long NextFrame, [property: Id(3)] bool Running,
    [property: Id(4)] bool Ended, [property: Id(5)] long CheckpointFrame, [property: Id(6)] int Activations);
