namespace MoViSharp.Cluster;

/// <summary>
/// The durable list of a cluster's streams: which exist and how far each got. The checkpoints themselves are Orleans grain
/// state (<see cref="StoredCheckpoint"/>), but Orleans' grain storage only reads or writes one grain by its id — it cannot list
/// grains — so the supervisor, which must find the running streams after a silo dies, reads them here. A stream is listed from
/// its start to its stop; each checkpoint also advances its entry (frame, ended).
/// </summary>
public interface IStreamDirectory
{
    /// <summary>Creates the table when missing (idempotent, safe when several silos start at once).</summary>
    Task InitializeAsync(CancellationToken cancel = default);

    /// <summary>Lists the stream, or moves its entry forward; an entry never moves backwards (a stale activation is ignored).</summary>
    Task RecordAsync(string streamId, long nextFrame, bool ended, CancellationToken cancel = default);

    Task DeleteAsync(string streamId, CancellationToken cancel = default);

    /// <summary>Every listed stream, ordered by id, at most <see cref="CheckpointLimits.MaxStreams"/>.</summary>
    Task<IReadOnlyList<StreamDirectoryEntry>> ListAsync(CancellationToken cancel = default);
}

/// <summary>One stream of the directory: the frame its last checkpoint resumes at, whether it ended, and when that was recorded.</summary>
public sealed record StreamDirectoryEntry(string StreamId, long NextFrame, bool Ended, DateTimeOffset SavedAt);
