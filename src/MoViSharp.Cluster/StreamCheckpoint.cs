using MoViSharp.Server.Events;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Cluster;

/// <summary>
/// A stream grain's checkpoint: its request, run, the next frame to classify, the label detector's state and the model's stream
/// state (every tensor: name, type, shape, bytes). Restoring it and replaying the frames from <see cref="NextFrame"/> gives
/// exactly the logits and events the lost silo would have produced.
/// </summary>
public sealed record StreamCheckpoint(ClusterStreamSpec Spec, string Run, long NextFrame, DetectorState Detector, bool Ended)
{
    private const int Version = 1;
    private const int MaxTensors = 4096;
    private const int MaxRank = 8;

    public byte[] Serialize(StreamState state)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer))
        {
            w.Write(Version);
            w.Write(Spec.Seed); w.Write(Spec.Fps); w.Write(Spec.Model ?? ""); w.Write(Spec.MaxFrames);
            w.Write(Run); w.Write(NextFrame); w.Write(Ended);
            w.Write(Detector.Logged ?? -1); w.Write(Detector.Candidate); w.Write(Detector.Count); w.Write(Detector.SinceStart); w.Write(Detector.NextSeq);
            w.Write(state.Count);
            foreach (var (name, tensor) in state.Entries())
            {
                using var t = tensor.contiguous().cpu();
                w.Write(name);
                w.Write((int)t.dtype);
                w.Write(t.shape.Length);
                foreach (var d in t.shape) w.Write(d);
                var bytes = t.bytes;
                w.Write(bytes.Length);
                w.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    public static (StreamCheckpoint Checkpoint, StreamState State) Deserialize(byte[] data)
    {
        try
        {
            return Read(data);
        }
        catch (EndOfStreamException e)
        {
            // Every refusal of a stored checkpoint is an InvalidDataException, which the grain reports as an unreadable checkpoint.
            throw new InvalidDataException($"Stream checkpoint is cut short: {data.Length} bytes end before its last field.", e);
        }
    }

    private static (StreamCheckpoint Checkpoint, StreamState State) Read(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data));
        int version = r.ReadInt32();
        if (version != Version) throw new InvalidDataException($"Stream checkpoint version {version}; this build reads version {Version}.");
        var spec = new ClusterStreamSpec(r.ReadInt64(), r.ReadDouble(), r.ReadString() is { Length: > 0 } m ? m : null, r.ReadInt64());
        string run = r.ReadString();
        long next = r.ReadInt64();
        bool ended = r.ReadBoolean();
        int logged = r.ReadInt32();
        var detector = new DetectorState(logged < 0 ? null : logged, r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt64());
        int count = r.ReadInt32();
        if (count is < 0 or > MaxTensors) throw new InvalidDataException($"Stream checkpoint holds {count} tensors; expected 0 to {MaxTensors}.");
        StreamState? state = null;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var (name, shape, type, bytes) = ReadTensor(r);
                if (state is not null && shape[0] != state.BatchSize)
                    throw new InvalidDataException($"Checkpoint tensor '{name}' has batch {shape[0]}; the state before it has batch {state.BatchSize}.");
                var tensor = empty(shape, type);
                bytes.CopyTo(tensor.bytes);
                state ??= new StreamState(checked((int)shape[0]));
                state.Set(name, tensor);
            }
            if (r.BaseStream.Position != r.BaseStream.Length)
                throw new InvalidDataException($"Stream checkpoint has {r.BaseStream.Length - r.BaseStream.Position} bytes after its last tensor.");
        }
        catch
        {
            state?.Dispose();
            throw;
        }
        return (new StreamCheckpoint(spec, run, next, detector, ended), state ?? new StreamState(1));
    }

    /// <summary>
    /// One tensor's header and bytes, validated before anything is allocated: a known dtype, a rank of 1 to 8, no negative
    /// dimension, and exactly the bytes the shape and dtype need (so a corrupt row cannot make us allocate a huge tensor).
    /// </summary>
    private static (string Name, long[] Shape, ScalarType Type, byte[] Bytes) ReadTensor(BinaryReader r)
    {
        string name = r.ReadString();
        int rawType = r.ReadInt32();
        var type = (ScalarType)rawType;
        int elementSize = type switch
        {
            ScalarType.Float64 or ScalarType.Int64 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
            ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
            _ => throw new InvalidDataException($"Checkpoint tensor '{name}' has dtype code {rawType}, which a stream state never holds."),
        };
        int rank = r.ReadInt32();
        if (rank is < 1 or > MaxRank) throw new InvalidDataException($"Checkpoint tensor '{name}' has rank {rank}; expected 1 to {MaxRank}.");
        var shape = new long[rank];
        double size = elementSize;   // in floating point first: a corrupt shape must not overflow the exact product
        for (int d = 0; d < rank; d++)
        {
            shape[d] = r.ReadInt64();
            if (shape[d] < 0) throw new InvalidDataException($"Checkpoint tensor '{name}' has a negative dimension {shape[d]}.");
            size *= shape[d];
        }
        if (shape[0] < 1) throw new InvalidDataException($"Checkpoint tensor '{name}' has batch {shape[0]}; a stream state has at least one row.");
        if (size > CheckpointLimits.MaxBytes)
            throw new InvalidDataException($"Checkpoint tensor '{name}' [{string.Join(", ", shape)}] {type} would take {size:0} bytes; the limit is {CheckpointLimits.MaxBytes}.");
        long expected = shape.Aggregate(1L, (a, b) => a * b) * elementSize;
        int length = r.ReadInt32();
        if (length != expected)
            throw new InvalidDataException($"Checkpoint tensor '{name}' [{string.Join(", ", shape)}] {type} needs {expected} bytes, has {length}.");
        var bytes = r.ReadBytes(length);
        if (bytes.Length != length) throw new InvalidDataException($"Checkpoint tensor '{name}' is cut short: {bytes.Length} of {length} bytes.");
        return (name, shape, type, bytes);
    }
}
