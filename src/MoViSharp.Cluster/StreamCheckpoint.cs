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
        StreamState? state = null;
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            var type = (ScalarType)r.ReadInt32();
            var shape = new long[r.ReadInt32()];
            for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt64();
            var bytes = r.ReadBytes(r.ReadInt32());
            var tensor = empty(shape, type);
            if (tensor.bytes.Length != bytes.Length) throw new InvalidDataException($"Checkpoint tensor '{name}' [{string.Join(", ", shape)}] {type} needs {tensor.bytes.Length} bytes, has {bytes.Length}.");
            bytes.CopyTo(tensor.bytes);
            state ??= new StreamState(checked((int)shape[0]));
            state.Set(name, tensor);
        }
        return (new StreamCheckpoint(spec, run, next, detector, ended), state ?? new StreamState(1));
    }
}
