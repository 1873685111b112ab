using System.Collections.Concurrent;

namespace MoViSharp.Data;

/// <summary>Decoded clips kept in memory by sample index, up to a byte budget (first come, first kept; nothing is evicted).</summary>
public sealed class ClipCache(long maxBytes)
{
    private readonly ConcurrentDictionary<int, DecodedClip> clips = new();
    private long bytes;

    public long Bytes => Interlocked.Read(ref bytes);
    public int Count => clips.Count;

    public DecodedClip GetOrAdd(int index, Func<DecodedClip> decode)
    {
        if (clips.TryGetValue(index, out var clip)) return clip;
        clip = decode();
        if (Interlocked.Add(ref bytes, clip.Bytes) <= maxBytes) clips.TryAdd(index, clip);
        else Interlocked.Add(ref bytes, -clip.Bytes);
        return clip;
    }
}
