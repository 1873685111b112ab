using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MoViSharp.Server.Streams;

namespace MoViSharp.Server;

/// <summary>One load level: N synthetic streams at a frame rate, measured over a window after a warm-up.</summary>
public sealed record LoadLevel(
    int Streams, double Fps, double Seconds, long FramesProcessed, double ExpectedFrames, long Dropped, double FrameP50Ms, double FrameP99Ms,
    double StepP50Ms, double StepP99Ms, double MeanBatch, double LagFirstHalfMs, double LagSecondHalfMs, int MaxQueued, string LoadAverage, bool Kept)
{
    /// <summary>Served without lag growth: no frame dropped, the queues did not grow, and (almost) every frame was classified.</summary>
    public static bool Keeps(long dropped, double lagFirst, double lagSecond, long processed, double expected, double fps) =>
        dropped == 0 && lagSecond - lagFirst < 1000 / fps && processed >= 0.95 * expected;
}

/// <summary>
/// A bounded load test over loopback: for each N it adds N synthetic streams through the HTTP API, lets them run, measures
/// frames, drops, latency and lag, removes them, and stops after the first N that is not kept up with. Not a unit test: its
/// numbers depend on the machine and what else runs on it (the load average is recorded with each level).
/// </summary>
public static class LoadTest
{
    public static async Task<IReadOnlyList<LoadLevel>> RunAsync(StreamServer server, IReadOnlyList<int> counts, double fps, TimeSpan window,
        TimeSpan warmUp, bool stopAtFirstMiss, TextWriter? progress = null, CancellationToken cancel = default)
    {
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        if (server.Options.ApiKey is { } key) http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var levels = new List<LoadLevel>();
        // Four seeds shared by all streams: the load is the server's, not the clip renderer's (streams of one seed share rendered clips).
        foreach (int n in counts)
        {
            var ids = new List<string>();
            for (int i = 0; i < n; i++)
            {
                string id = $"load-{n}-{i}";
                var response = await http.PostAsJsonAsync("/streams", new { id, kind = "synthetic", fps, seed = 5000 + i % 4 }, cancel).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Adding {id} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false)}");
                ids.Add(id);
            }
            await Task.Delay(warmUp, cancel).ConfigureAwait(false);
            var streams = ids.Select(server.Streams.Get).ToList();
            long processed0 = streams.Sum(s => s.Processed), dropped0 = streams.Sum(s => s.Dropped);
            server.Metrics.FrameSeconds.Clear();
            server.Metrics.StepSeconds.Clear();
            double batch0 = server.Metrics.MeanBatch * server.Metrics.Steps;
            long steps0 = server.Metrics.Steps;
            var lags = new List<double>();
            int maxQueued = 0;
            var start = DateTime.UtcNow;
            while (DateTime.UtcNow - start < window)
            {
                await Task.Delay(200, cancel).ConfigureAwait(false);
                lags.Add(streams.Average(s => s.LagSeconds) * 1000);
                maxQueued = Math.Max(maxQueued, streams.Max(s => s.Queue.Count));
            }
            double seconds = (DateTime.UtcNow - start).TotalSeconds;
            long processed = streams.Sum(s => s.Processed) - processed0, dropped = streams.Sum(s => s.Dropped) - dropped0;
            double expected = n * fps * seconds;
            double first = lags.Take(lags.Count / 2).DefaultIfEmpty().Average(), second = lags.Skip(lags.Count / 2).DefaultIfEmpty().Average();
            long steps = server.Metrics.Steps - steps0;
            double meanBatch = steps == 0 ? 0 : (server.Metrics.MeanBatch * server.Metrics.Steps - batch0) / steps;
            bool kept = LoadLevel.Keeps(dropped, first, second, processed, expected, fps);
            var level = new LoadLevel(n, fps, Math.Round(seconds, 2), processed, Math.Round(expected), dropped,
                Ms(server.Metrics.FrameSeconds.Percentile(0.5)), Ms(server.Metrics.FrameSeconds.Percentile(0.99)),
                Ms(server.Metrics.StepSeconds.Percentile(0.5)), Ms(server.Metrics.StepSeconds.Percentile(0.99)),
                Math.Round(meanBatch, 2), Math.Round(first, 2), Math.Round(second, 2), maxQueued, LoadAverage(), kept);
            levels.Add(level);
            progress?.WriteLine($"{n,4} streams: {processed}/{expected:0} frames, dropped {dropped}, frame p50 {level.FrameP50Ms} ms p99 {level.FrameP99Ms} ms, " +
                                $"step p50 {level.StepP50Ms} ms, batch {level.MeanBatch}, lag {first:0.0}→{second:0.0} ms, load {level.LoadAverage}: {(kept ? "kept up" : "FELL BEHIND")}");
            foreach (var id in ids) await http.DeleteAsync($"/streams/{id}", cancel).ConfigureAwait(false);
            await Task.Delay(500, cancel).ConfigureAwait(false);
            if (!kept && stopAtFirstMiss) break;
        }
        return levels;
    }

    private static double Ms(double seconds) => double.IsNaN(seconds) ? double.NaN : Math.Round(seconds * 1000, 2);

    /// <summary>The 1/5/15-minute load averages (Linux), so that a result says how busy the machine was.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    /// <summary>Writes the levels as JSON and a Markdown table next to it (both atomically: a temporary file, then a rename).</summary>
    public static void Write(string path, string model, IReadOnlyList<LoadLevel> levels)
    {
        var best = levels.Where(l => l.Kept).Select(l => l.Streams).DefaultIfEmpty(0).Max();
        var json = JsonSerializer.Serialize(new { model, machine = Machine(), largestKept = best, levels }, new JsonSerializerOptions(StreamServer.Json) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        Atomic(path, json);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"Model `{model}`, {Machine()}; largest N kept up with: **{best}**.\n\n");
        md.Append("| streams | fps | frames / expected | dropped | frame p50 / p99 (ms) | step p50 / p99 (ms) | mean batch | lag 1st→2nd half (ms) | load avg | kept up |\n");
        md.Append("|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var l in levels)
            md.Append(CultureInfo.InvariantCulture, $"| {l.Streams} | {l.Fps} | {l.FramesProcessed} / {l.ExpectedFrames} | {l.Dropped} | {l.FrameP50Ms} / {l.FrameP99Ms} | {l.StepP50Ms} / {l.StepP99Ms} | {l.MeanBatch} | {l.LagFirstHalfMs} → {l.LagSecondHalfMs} | {l.LoadAverage} | {(l.Kept ? "yes" : "no")} |\n");
        Atomic(Path.ChangeExtension(path, ".md"), md.ToString());
    }

    private static string Machine() => $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}";

    private static void Atomic(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, full, overwrite: true);
    }
}
