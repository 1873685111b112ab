using System.Globalization;
using System.Text;
using MoViSharp.Server.Streams;

namespace MoViSharp.Server.Metrics;

/// <summary>
/// The server's counters in Prometheus' text format (version 0.0.4): frames processed and dropped per stream, per-stream lag
/// and queue depth, batch sizes, model step latency and frame latency (arrival to result) percentiles over a recent window.
/// </summary>
public sealed class ServerMetrics
{
    private static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128];
    private readonly long[] batchCounts = new long[BatchBuckets.Length + 1];
    private long batchSum, steps, parks;

    public LatencyWindow StepSeconds { get; } = new();
    public LatencyWindow FrameSeconds { get; } = new();

    public void RecordStep(int batch, double seconds)
    {
        int b = Array.FindIndex(BatchBuckets, limit => batch <= limit);
        Interlocked.Increment(ref batchCounts[b < 0 ? BatchBuckets.Length : b]);
        Interlocked.Add(ref batchSum, batch);
        Interlocked.Increment(ref steps);
        StepSeconds.Add(seconds);
    }

    /// <summary>A stream sat out a step (no frame in time): its state left the batch.</summary>
    public void RecordPark() => Interlocked.Increment(ref parks);

    public long Steps => Interlocked.Read(ref steps);

    public double MeanBatch => Steps == 0 ? 0 : Interlocked.Read(ref batchSum) / (double)Steps;

    public string Render(IReadOnlyCollection<LiveStream> streams)
    {
        var text = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        void Header(string name, string type, string help) => text.Append(ci, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
        string L(LiveStream s) => $"stream=\"{Escape(s.Id)}\",model=\"{Escape(s.ModelName)}\"";

        Header("movisharp_frames_processed_total", "counter", "Frames classified, per stream.");
        foreach (var s in streams) text.Append(ci, $"movisharp_frames_processed_total{{{L(s)}}} {s.Processed}\n");
        Header("movisharp_frames_dropped_total", "counter", "Frames dropped (oldest first) because the stream's queue was full.");
        foreach (var s in streams) text.Append(ci, $"movisharp_frames_dropped_total{{{L(s)}}} {s.Dropped}\n");
        Header("movisharp_stream_lag_seconds", "gauge", "How long the stream's last classified frame waited after it arrived.");
        foreach (var s in streams) text.Append(ci, $"movisharp_stream_lag_seconds{{{L(s)}}} {s.LagSeconds:0.######}\n");
        Header("movisharp_stream_queue_frames", "gauge", "Frames waiting in the stream's queue.");
        foreach (var s in streams) text.Append(ci, $"movisharp_stream_queue_frames{{{L(s)}}} {s.Queue.Count}\n");
        Header("movisharp_stream_up", "gauge", "1 while the stream runs, 0 when it ended or failed.");
        foreach (var s in streams) text.Append(ci, $"movisharp_stream_up{{{L(s)}}} {(s.Status == StreamStatus.Running ? 1 : 0)}\n");

        Header("movisharp_batch_size", "histogram", "Streams advanced together in one model step.");
        long cumulative = 0;
        for (int i = 0; i < BatchBuckets.Length; i++)
        {
            cumulative += Interlocked.Read(ref batchCounts[i]);
            text.Append(ci, $"movisharp_batch_size_bucket{{le=\"{BatchBuckets[i]}\"}} {cumulative}\n");
        }
        cumulative += Interlocked.Read(ref batchCounts[^1]);
        text.Append(ci, $"movisharp_batch_size_bucket{{le=\"+Inf\"}} {cumulative}\nmovisharp_batch_size_sum {Interlocked.Read(ref batchSum)}\nmovisharp_batch_size_count {cumulative}\n");

        Summary("movisharp_model_step_seconds", "One batched model step (recent window).", StepSeconds);
        Summary("movisharp_frame_latency_seconds", "From a frame's arrival to its prediction (recent window).", FrameSeconds);
        Header("movisharp_stream_parks_total", "counter", "Times a stream sat out a step because its frame was not in.");
        text.Append(ci, $"movisharp_stream_parks_total {Interlocked.Read(ref parks)}\n");
        return text.ToString();

        void Summary(string name, string help, LatencyWindow w)
        {
            Header(name, "summary", help);
            foreach (var q in new[] { 0.5, 0.9, 0.99 })
                text.Append(ci, $"{name}{{quantile=\"{q}\"}} {Format(w.Percentile(q))}\n");
            text.Append(ci, $"{name}_count {w.Total}\n");
        }
    }

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : v.ToString("0.#########", CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
