using System.Collections.Concurrent;
using Orleans.Storage;

namespace MoViSharp.Tests.Server;

/// <summary>
/// Grain storage shared by every silo of this test process, standing in for a database in the in-process cluster. Orleans'
/// in-memory storage (AddMemoryGrainStorage) does not survive a silo kill: it keeps each state in a storage grain on some silo,
/// and killing that silo loses the checkpoints it held (3 of 4 failover runs lost at least one stream that way). Same
/// concurrency rule as the PostgreSQL provider: a write must name the stored version (none for a first write).
/// </summary>
internal sealed class ProcessGrainStorage(Orleans.Serialization.Serializer serializer) : IGrainStorage
{
    private static readonly ConcurrentDictionary<(string, GrainId), (int Version, byte[] Payload)> Rows = new();
    private static readonly object Gate = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = serializer.Deserialize<T>(row.Payload);
            grainState.ETag = row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (Gate)
        {
            int next = Check(stateName, grainId, grainState) + 1;
            Rows[(stateName, grainId)] = (next, serializer.SerializeToArray(grainState.State));
            grainState.ETag = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (Gate)
        {
            Check(stateName, grainId, grainState);
            Rows.TryRemove((stateName, grainId), out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        return Task.CompletedTask;
    }

    /// <summary>The stored version, when the caller's ETag names it; otherwise the write is refused as stale.</summary>
    private static int Check<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        int stored = Rows.TryGetValue((stateName, grainId), out var row) ? row.Version : 0;
        string? expected = stored == 0 ? null : stored.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (grainState.ETag != expected)
            throw new InconsistentStateException($"Stale write of {grainId}: stored version {expected ?? "none"}, the grain holds {grainState.ETag ?? "none"}.", expected, grainState.ETag);
        return stored;
    }
}
