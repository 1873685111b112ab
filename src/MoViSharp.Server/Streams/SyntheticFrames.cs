using MoViSharp.Data.Synthetic;

namespace MoViSharp.Server.Streams;

/// <summary>
/// Frame <c>index</c> of a synthetic stream as a pure function of (seed, clip length, size, index): clip index / length, frame
/// index mod length. What makes a synthetic stream replayable after a failover — the same index gives the same pixels anywhere.
/// Keeps the current clip, so walking forward renders each clip once.
/// </summary>
public sealed class SyntheticFrames(long seed, int clipFrames, int size)
{
    private long cachedClip = -1;
    private byte[] cached = [];

    public QueuedFrame Frame(long index)
    {
        long clip = index / clipFrames;
        int f = (int)(index % clipFrames);
        int cls = SyntheticSource.ClassOf(seed, clip);
        if (clip != cachedClip)
        {
            cached = SyntheticClipRenderer.Render(cls, seed, checked((int)clip), clipFrames, size).ToRgb24();
            cachedClip = clip;
        }
        int bytes = size * size * 3;
        return new QueuedFrame(cached.AsSpan(f * bytes, bytes).ToArray(), index, FrameClock.Now, f == 0, cls);
    }
}
