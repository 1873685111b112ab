using MoViSharp.Streaming;

namespace MoViSharp.Cluster;

/// <summary>
/// A stream grain's Orleans grain state: its latest <see cref="StreamCheckpoint"/> as bytes. The tensors stay in our own
/// validated format rather than in Orleans' serializer, so that a state read back is checked (size bound, every tensor header)
/// before anything is allocated; Orleans' serializer only frames the byte array. Empty until the stream's first checkpoint.
/// </summary>
[GenerateSerializer, Alias("MoViSharp.StoredCheckpoint")]
public sealed class StoredCheckpoint
{
    [Id(0)] public byte[]? Data { get; set; }

    public bool IsEmpty => Data is null;

    public static StoredCheckpoint From(string streamId, StreamCheckpoint checkpoint, StreamState state)
    {
        var data = checkpoint.Serialize(state);
        CheckpointLimits.CheckSave(streamId, data);
        return new StoredCheckpoint { Data = data };
    }

    /// <summary>The checkpoint and model state, validated; <see cref="InvalidDataException"/> naming the stream when it is not.</summary>
    public (StreamCheckpoint Checkpoint, StreamState State) Restore(string streamId)
    {
        if (Data is null) throw new InvalidOperationException($"Stream '{streamId}' has no checkpoint to restore.");
        return StreamCheckpoint.Deserialize(CheckpointLimits.CheckLoaded(streamId, Data));
    }
}
