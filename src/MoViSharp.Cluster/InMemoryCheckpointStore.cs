using System.Collections.Concurrent;

namespace MoViSharp.Cluster;

/// <summary>Checkpoints in this process's memory: shared by the silos of an in-process test cluster, standing in for a database.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly ConcurrentDictionary<string, (CheckpointSummary Summary, byte[] Data)> saved = new();

    public Task InitializeAsync(CancellationToken cancel = default) => Task.CompletedTask;

    public Task<byte[]?> LoadAsync(string streamId, CancellationToken cancel = default)
    {
        CheckpointLimits.CheckId(streamId);
        return Task.FromResult(saved.TryGetValue(streamId, out var s) ? s.Data : null);
    }

    public Task SaveAsync(string streamId, long nextFrame, bool ended, byte[] checkpoint, CancellationToken cancel = default)
    {
        CheckpointLimits.CheckSave(streamId, nextFrame, checkpoint);
        var entry = (new CheckpointSummary(streamId, nextFrame, ended, DateTimeOffset.UtcNow), checkpoint);
        // As the databases do: an older checkpoint never replaces a newer one.
        saved.AddOrUpdate(streamId, entry, (_, old) => old.Summary.NextFrame <= nextFrame ? entry : old);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string streamId, CancellationToken cancel = default)
    {
        CheckpointLimits.CheckId(streamId);
        saved.TryRemove(streamId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CheckpointSummary>> ListAsync(CancellationToken cancel = default) =>
        Task.FromResult<IReadOnlyList<CheckpointSummary>>(
            saved.Values.Select(s => s.Summary).OrderBy(s => s.StreamId, StringComparer.Ordinal).Take(CheckpointLimits.MaxStreams).ToList());
}
