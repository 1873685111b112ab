using System.Runtime.InteropServices;
using MoViSharp.Classification;
using MoViSharp.Server.Events;
using MoViSharp.Server.Metrics;
using MoViSharp.Server.Streams;
using MoViSharp.Streaming;
using MoViSharp.Video;
using static TorchSharp.torch;

namespace MoViSharp.Server.Scheduling;

/// <summary>
/// The streams of one model at one frame rate, advanced together through one <see cref="MultiStreamRunner"/>: one batched step
/// per tick, one frame per stream. A stream whose frame is not in at the tick sits the step out — its state leaves the batch
/// ("parked") and rejoins with its next frame, exactly as it was — so a late camera never holds up the others. A frame that
/// starts a video gives its stream a fresh state.
/// </summary>
internal sealed class Lane : IDisposable
{
    private readonly MultiStreamRunner runner;
    private readonly Dictionary<int, LiveStream> streamOfRow = [];
    private readonly Dictionary<LiveStream, int> rowOf = [];
    private readonly Dictionary<LiveStream, StreamState> parked = [];
    private readonly List<LiveStream> members = [];
    private readonly ServerMetrics metrics;
    private readonly int size;

    public string Model { get; }
    public double Fps { get; }
    /// <summary>The grid index of the next tick (see <see cref="FrameClock"/>).</summary>
    public long NextIndex { get; set; }
    public int Count => members.Count;

    public Lane(string model, IVideoClassifier classifier, double fps, ServerMetrics metrics)
    {
        Model = model; Fps = fps; this.metrics = metrics;
        size = classifier.Preprocessing.Size;
        runner = new MultiStreamRunner(classifier, size, size);
        NextIndex = FrameClock.NextIndex(fps);
    }

    /// <summary>When the next tick is due: a quarter period after the grid point, so that paced sources have emitted.</summary>
    public long DueTicks => FrameClock.TimeOf(Fps, NextIndex, 0.25);

    public void Add(LiveStream stream) => members.Add(stream);

    /// <summary>True when a stream has more than one frame waiting: it fell behind and the lane should catch up now.</summary>
    public bool HasBacklog => members.Any(m => m.Queue.Count > 1);

    public void Remove(LiveStream stream)
    {
        members.Remove(stream);
        if (rowOf.Remove(stream, out int row))
        {
            streamOfRow.Remove(row);
            runner.Leave(row).Dispose();
        }
        if (parked.Remove(stream, out var state)) state.Dispose();
    }

    /// <summary>One tick: every stream with a frame queued advances by that frame. Returns the label changes it produced.</summary>
    public List<(LiveStream Stream, LabelEvent Event)> Step()
    {
        var events = new List<(LiveStream, LabelEvent)>();
        foreach (var gone in members.Where(m => m.Status != StreamStatus.Running).ToList()) Remove(gone);
        var taken = new Dictionary<LiveStream, QueuedFrame>();
        foreach (var m in members)
            if (m.Queue.TryDequeue(out var frame)) taken[m] = frame;
        if (taken.Count == 0) return events;

        foreach (var m in members)
            if (!taken.ContainsKey(m) && rowOf.Remove(m, out int row))
            {
                streamOfRow.Remove(row);
                parked[m] = runner.Leave(row);
                metrics.RecordPark();
            }
        foreach (var (m, frame) in taken)
        {
            if (frame.StartsVideo)
            {
                if (rowOf.Remove(m, out int row)) { streamOfRow.Remove(row); runner.Leave(row).Dispose(); }
                if (parked.Remove(m, out var old)) old.Dispose();
                m.Results.StartVideo();
            }
            if (rowOf.ContainsKey(m)) continue;
            int id;
            if (parked.Remove(m, out var state))
                using (state) id = runner.Join(state);
            else id = runner.Join();
            rowOf[m] = id;
            streamOfRow[id] = m;
        }

        var order = runner.Streams.Select(id => streamOfRow[id]).ToList();
        float[]? flat;
        long started = FrameClock.Now;
        using (var scope = NewDisposeScope())
        {
            var batch = empty([order.Count, 3, size, size], ScalarType.Float32);
            var data = MemoryMarshal.Cast<byte, float>(batch.bytes);   // a view of the new tensor's memory: no copy
            int plane = 3 * size * size;
            for (int r = 0; r < order.Count; r++)
                FrameConversion.ToChwFloat(taken[order[r]].Rgb, data.Slice(r * plane, plane), size, size);
            var logits = runner.StepBatch(batch);
            flat = logits?.contiguous().data<float>().ToArray();
        }
        long done = FrameClock.Now;
        metrics.RecordStep(order.Count, FrameClock.Seconds(done - started));
        if (flat is null)
        {
            foreach (var m in order) m.Consumed(taken[m]);
            return events;
        }
        int classes = flat.Length / order.Count;
        for (int r = 0; r < order.Count; r++)
        {
            var m = order[r];
            var frame = taken[m];
            metrics.FrameSeconds.Add(FrameClock.Seconds(done - frame.ArrivedTicks));
            if (m.Classified(frame, flat.AsSpan(r * classes, classes), done) is { } e) events.Add((m, e));
        }
        return events;
    }

    public void Dispose()
    {
        foreach (var s in parked.Values) s.Dispose();
        parked.Clear();
        runner.Dispose();
    }
}
