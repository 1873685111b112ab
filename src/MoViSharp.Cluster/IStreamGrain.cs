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

    /// <summary>The last <paramref name="last"/> predictions this activation made (a resumed stream starts a new history).</summary>
    Task<ClusterPrediction[]> Predictions(int last);

    /// <summary>Ends the stream and deletes its checkpoint, so that nothing resumes it.</summary>
    Task Stop();
}

/// <summary>A synthetic stream for the cluster: its seed, frame rate, model, and how many frames it runs (0: without end).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterStreamSpec([property: Id(0)] long Seed, [property: Id(1)] double Fps, [property: Id(2)] string? Model, [property: Id(3)] long MaxFrames);

/// <summary>Where a stream runs and how far it got.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterStreamStatus(
    [property: Id(0)] string StreamId, [property: Id(1)] string Silo, [property: Id(2)] long NextFrame, [property: Id(3)] bool Running,
    [property: Id(4)] bool Ended, [property: Id(5)] long CheckpointFrame, [property: Id(6)] int Activations,
    [property: Id(7)] ClusterStreamSpec? Spec);

/// <summary>One class of a prediction.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterClassScore([property: Id(0)] int Index, [property: Id(1)] string Label, [property: Id(2)] float Probability);

/// <summary>The top classes after one frame of a cluster stream (the single-machine server's prediction record, in a form grains can send).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterPrediction([property: Id(0)] long Frame, [property: Id(1)] DateTimeOffset At, [property: Id(2)] ClusterClassScore[] Top,
    [property: Id(3)] double LatencyMs);
