namespace MoViSharp.Cluster;

/// <summary>
/// Where stream grains keep their checkpoints: somewhere every silo reaches and that outlives any of them (a database in a real
/// cluster). Each stream has at most one checkpoint, its latest; a save replaces the previous one atomically. The store also
/// answers which streams exist and how far each got, which is what the supervisor needs to resume them after a silo dies.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Creates the table when missing (idempotent, safe when several silos start at once).</summary>
    Task InitializeAsync(CancellationToken cancel = default);

    Task<byte[]?> LoadAsync(string streamId, CancellationToken cancel = default);

    /// <summary>Replaces the stream's checkpoint; <paramref name="nextFrame"/> and <paramref name="ended"/> are kept beside it for listings.</summary>
    Task SaveAsync(string streamId, long nextFrame, bool ended, byte[] checkpoint, CancellationToken cancel = default);

    Task DeleteAsync(string streamId, CancellationToken cancel = default);

    /// <summary>Every stream with a checkpoint, ordered by id, at most <see cref="CheckpointLimits.MaxStreams"/>.</summary>
    Task<IReadOnlyList<CheckpointSummary>> ListAsync(CancellationToken cancel = default);
}

/// <summary>What a listing says about one stream's checkpoint, without reading its state.</summary>
public sealed record CheckpointSummary(string StreamId, long NextFrame, bool Ended, DateTimeOffset SavedAt);
