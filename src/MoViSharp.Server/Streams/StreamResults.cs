using MoViSharp.Classification;
using MoViSharp.Server.Events;

namespace MoViSharp.Server.Streams;

/// <summary>
/// What a stream has produced: the last N predictions (a ring), the current top classes, and label changes as events. Shared by
/// the single-machine scheduler and the cluster grains, so both report and log identically.
/// </summary>
public sealed class StreamResults(string streamId, IReadOnlyList<string> labels, int history, int hold, int delay)
{
    private readonly Queue<PredictionRecord> recent = new();
    private PredictionRecord? latest;

    public LabelChangeDetector Detector { get; } = new(hold, delay);
    public string StreamId { get; } = streamId;
    public string Run { get; set; } = NewRun();

    public static string NewRun() => Guid.NewGuid().ToString("N")[..12];

    public PredictionRecord? Latest { get { lock (recent) return latest; } }

    public IReadOnlyList<PredictionRecord> Last(int n)
    {
        lock (recent) return recent.Skip(Math.Max(0, recent.Count - n)).ToList();
    }

    public void StartVideo() => Detector.StartVideo();

    /// <summary>Records the logits after frame <paramref name="frame"/>; returns the label change it completes, if any.</summary>
    public LabelEvent? Record(ReadOnlySpan<float> logits, long frame, double latencyMs, int? trueClass)
    {
        var top = Softmax.TopK(logits, 3, labels).Select(p => new ClassScore(p.Index, labels[p.Index], p.Probability)).ToList();
        var now = DateTimeOffset.UtcNow;
        var record = new PredictionRecord(frame, now, top, latencyMs, trueClass is { } c && c < labels.Count ? labels[c] : null);
        lock (recent)
        {
            recent.Enqueue(record);
            while (recent.Count > history) recent.Dequeue();
            latest = record;
        }
        if (Detector.Observe(top[0].Index) is not { } change) return null;
        return new LabelEvent(StreamId, Run, change.Seq, frame, now, labels[change.Label], top[0].Probability,
            change.Previous is { } p ? labels[p] : null);
    }
}
