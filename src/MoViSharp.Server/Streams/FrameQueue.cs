namespace MoViSharp.Server.Streams;

/// <summary>
/// The bounded queue between a stream's source and the scheduler. A full queue drops its <b>oldest</b> frame: a stream that falls
/// behind loses history, not the present, and its source is never blocked (so one slow stream cannot hold up another's decoder).
/// A dropped frame that started a video hands that mark to the next frame, so a restart is never lost with it.
/// </summary>
public sealed class FrameQueue(int capacity)
{
    private readonly Queue<QueuedFrame> frames = new();
    private long dropped;

    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));
    public long Dropped => Interlocked.Read(ref dropped);
    public int Count { get { lock (frames) return frames.Count; } }

    public void Enqueue(QueuedFrame frame)
    {
        lock (frames)
        {
            bool carryStart = false;
            while (frames.Count >= Capacity)
            {
                carryStart |= frames.Dequeue().StartsVideo;
                Interlocked.Increment(ref dropped);
            }
            if (carryStart && frames.Count > 0) frames.Enqueue(MarkNextStart(frame));
            else frames.Enqueue(carryStart ? frame with { StartsVideo = true } : frame);
        }

        // Capacity 1 empties the queue first; otherwise the mark moves to the frame now at the head.
        QueuedFrame MarkNextStart(QueuedFrame incoming)
        {
            var head = frames.Dequeue();
            var rest = frames.ToArray();
            frames.Clear();
            frames.Enqueue(head with { StartsVideo = true });
            foreach (var f in rest) frames.Enqueue(f);
            return incoming;
        }
    }

    public bool TryDequeue(out QueuedFrame frame)
    {
        lock (frames) return frames.TryDequeue(out frame!);
    }

    public QueuedFrame? Peek()
    {
        lock (frames) return frames.TryPeek(out var f) ? f : null;
    }

    public void Clear()
    {
        lock (frames) frames.Clear();
    }
}
