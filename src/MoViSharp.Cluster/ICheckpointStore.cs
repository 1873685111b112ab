namespace MoViSharp.Cluster;

/// <summary>
/// Where stream grains keep their checkpoints: somewhere every silo reaches and that outlives any of them (a database in a real
/// cluster). Writes replace the stream's previous checkpoint atomically.
/// </summary>
public interface ICheckpointStore
{
    Task<byte[]?> LoadAsync(string streamId);
    Task SaveAsync(string streamId, byte[] checkpoint);
    Task DeleteAsync(string streamId);
}

/// <summary>Checkpoints in this process's memory: shared by the silos of an in-process test cluster, standing in for a database.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> saved = new();

    public Task<byte[]?> LoadAsync(string streamId) => Task.FromResult(saved.TryGetValue(streamId, out var b) ? b : null);

    public Task SaveAsync(string streamId, byte[] checkpoint)
    {
        saved[streamId] = checkpoint;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string streamId)
    {
        saved.TryRemove(streamId, out _);
        return Task.CompletedTask;
    }
}
