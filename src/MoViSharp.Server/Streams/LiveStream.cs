using MoViSharp.Classification;
using MoViSharp.Server.Events;

namespace MoViSharp.Server.Streams;

/// <summary>
/// One stream of the server: its request, model, source, queue, results and counters. The source runs on its own task and only
/// fills the queue; the scheduler alone drains it and advances the stream's state, so a broken source can only fail its own stream.
/// </summary>
public sealed class LiveStream
{
    private readonly Func<IStreamSource> makeSource;
    private CancellationTokenSource? running;
    private long processed, lastLagTicks;
    private byte[]? lastFrame;

    public string Id { get; }
    public StreamSpec Spec { get; }
    public string ModelName { get; }
    public IVideoClassifier Classifier { get; }
    public int Size { get; }
    public FrameQueue Queue { get; }
    public StreamResults Results { get; }
    public IStreamSource Source { get; private set; }
    public StreamStatus Status { get; private set; } = StreamStatus.Running;
    public string? Error { get; private set; }
    public DateTimeOffset Started { get; private set; } = DateTimeOffset.UtcNow;
    public int Restarts { get; private set; }
    public long Processed => Interlocked.Read(ref processed);
    public long Dropped => Queue.Dropped;
    /// <summary>How long the last classified frame had waited in the queue (seconds): grows without bound when the stream falls behind.</summary>
    public double LagSeconds => FrameClock.Seconds(Interlocked.Read(ref lastLagTicks));
    public byte[]? LastFrame => Volatile.Read(ref lastFrame);
    /// <summary>Raised when the status changes (failed, ended, restarted).</summary>
    public event Action<LiveStream>? StatusChanged;

    internal LiveStream(string id, StreamSpec spec, string modelName, IVideoClassifier classifier, int queueCapacity, int history, int hold,
        Func<IStreamSource> makeSource, IStreamSource first)
    {
        Id = id; Spec = spec; ModelName = modelName; Classifier = classifier; Size = classifier.Preprocessing.Size;
        Queue = new FrameQueue(queueCapacity);
        var labels = classifier.Labels ?? Enumerable.Range(0, classifier.NumClasses).Select(i => $"class {i}").ToArray();
        Results = new StreamResults(id, labels, history, hold, classifier.Delay);
        this.makeSource = makeSource;
        Source = first;
    }

    internal void Start()
    {
        var cancel = running = new CancellationTokenSource();
        var source = Source;
        _ = Task.Run(async () =>
        {
            try
            {
                // A cancelled source may still be finishing a frame: it never reaches the queue of the next run.
                await source.RunAsync(f => { if (!cancel.IsCancellationRequested) Queue.Enqueue(f); }, cancel.Token).ConfigureAwait(false);
                if (!cancel.IsCancellationRequested) SetStatus(StreamStatus.Ended, null);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
            catch (Exception e)
            {
                if (!cancel.IsCancellationRequested) SetStatus(StreamStatus.Failed, e.Message);
            }
        });
    }

    /// <summary>Stops the source (the scheduler drops the stream at its next step).</summary>
    internal void Stop()
    {
        running?.Cancel();
        SetStatus(StreamStatus.Stopped, null);
    }

    /// <summary>A fresh source and a new run (new state, new event numbering); the history stays.</summary>
    internal void Restart()
    {
        running?.Cancel();
        Queue.Clear();
        Source = makeSource();
        Results.Run = StreamResults.NewRun();
        Results.Detector.State = new DetectorState(null, -1, 0, 0, 0);
        Restarts++;
        Started = DateTimeOffset.UtcNow;
        SetStatus(StreamStatus.Running, null);
        Start();
    }

    /// <summary>Called by the scheduler for each classified frame.</summary>
    internal LabelEvent? Classified(QueuedFrame frame, ReadOnlySpan<float> logits, long now)
    {
        Interlocked.Increment(ref processed);
        long waited = now - frame.ArrivedTicks;
        Interlocked.Exchange(ref lastLagTicks, waited);
        Volatile.Write(ref lastFrame, frame.Rgb);
        return Results.Record(logits, frame.Index, FrameClock.Seconds(waited) * 1000, frame.TrueClass);
    }

    /// <summary>The scheduler took a frame that produced no output (inside a clip model's first window).</summary>
    internal void Consumed(QueuedFrame frame)
    {
        Interlocked.Increment(ref processed);
        Volatile.Write(ref lastFrame, frame.Rgb);
    }

    private void SetStatus(StreamStatus status, string? error)
    {
        lock (this)
        {
            if (Status == StreamStatus.Stopped && status != StreamStatus.Running) return;
            Status = status;
            Error = error;
        }
        StatusChanged?.Invoke(this);
    }
}
