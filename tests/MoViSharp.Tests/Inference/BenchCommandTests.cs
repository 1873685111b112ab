using System.Text.Json.Nodes;
using MoViSharp.Bench;
using MoViSharp.Tests.Cli;

namespace MoViSharp.Tests.Inference;

public class BenchCommandTests
{
    [Fact]
    public void QuickBenchWritesTheDocumentedJsonKeysPlotsAndItsOwnMarkdownSection()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"movisharp-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            const string others = "# Benchmarks\n\n## Training (the training team's section)\n\nkeep me\n";
            File.WriteAllText(Path.Combine(folder, "BENCHMARKS.md"), others + "\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\n## Footer\n");
            var run = CliRunner.RunProcess("bench", "--quick", "--json", "--models", "a0,t0-base", "--size", "40", "--frames", "4", "--classes", "10", "--output", folder);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var json = JsonNode.Parse(run.Stdout)!;

            var engine = json["stream_latency"]!["a0"]!["engine"]!;
            var plain = json["stream_latency"]!["a0"]!["plain"]!;
            foreach (var key in new[] { "ms_per_frame_median", "ms_per_frame_p90", "ms_per_frame_p99", "gflops", "fraction_of_peak" })
            {
                Assert.True(engine[key]!.GetValue<double>() > 0, key);
                Assert.True(plain[key]!.GetValue<double>() > 0, key);
            }
            Assert.NotNull(engine["by_threads"]!["1"]);
            Assert.True(json["stream_latency"]!["a0"]!["engine_max_abs_diff"]!.GetValue<double>() <= 1e-4);
            Assert.True(json["stream_latency"]!["a0"]!["onnx-ring_max_abs_diff"]!.GetValue<double>() <= 1e-4);     // ONNX Runtime rows, side by side
            Assert.True(json["stream_latency"]!["a0"]!["onnx-int8"]!["ms_per_frame_median"]!.GetValue<double>() > 0);
            Assert.True(json["machine"]!["peak_gflops"]!["1"]!.GetValue<double>() > 0);
            Assert.True(json["base_throughput"]!["a0"]!["1"]!["frames_per_s"]!.GetValue<double>() > 0);
            Assert.True(json["batched_throughput"]!["a0"]!["1"]!["4"]!["frames_per_s"]!.GetValue<double>() > 0);
            foreach (var series in new[] { MemoryProbe.StreamEngine, MemoryProbe.StreamPlain, MemoryProbe.Base })
                Assert.True(json["memory"]![series]!["rss_mb"]!.AsObject().Count >= 2, series);
            Assert.NotEmpty(json["goals"]!.AsArray());
            var e2e = json["classify_end_to_end"]!["a0"]!;
            Assert.True(e2e["frames_per_s"]!.GetValue<double>() > 0);
            Assert.True(e2e["engine_ms_per_frame"]!.GetValue<double>() > 0);
            var comparison = json["model_comparison"]!.AsObject();
            Assert.Equal(new[] { "a0-base", "a0-stream", "t0-base" }, comparison.Select(p => p.Key).Order());
            Assert.Equal(72.05, comparison["a0-stream"]!["published_top1"]!.GetValue<double>());
            Assert.True(comparison["t0-base"]!["ms_per_clip"]!.GetValue<double>() > 0);
            Assert.True(File.Exists(Path.Combine(folder, "bench", "accuracy-latency.png")));

            Assert.True(File.Exists(Path.Combine(folder, "bench", "latency.png")));
            Assert.True(File.Exists(Path.Combine(folder, "bench", "memory.png")));
            Assert.NotNull(JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "bench", "results.json"))));
            string markdown = File.ReadAllText(Path.Combine(folder, "BENCHMARKS.md"));
            Assert.StartsWith(others, markdown);
            Assert.EndsWith("<!-- bench:end -->\n\n## Footer\n", markdown);
            Assert.DoesNotContain("\nold\n", markdown);
            Assert.Contains("### Per-frame latency", markdown);
            Assert.Contains("### `classify` end to end", markdown);
            Assert.Contains("### Model comparison", markdown);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void MarkdownSectionIsAppendedOnceAndThenReplacedInPlace()
    {
        string first = MarkdownSection.Replace("# B\n\ntext\n", "one");
        Assert.Equal("# B\n\ntext\n\n<!-- bench:start -->\none\n<!-- bench:end -->\n", first);
        string second = MarkdownSection.Replace(first + "\nafter\n", "two");
        Assert.Equal("# B\n\ntext\n\n<!-- bench:start -->\ntwo\n<!-- bench:end -->\n\nafter\n", second);
    }

    [Fact]
    public void PercentilesAreNearestRank()
    {
        var stats = LatencyStats.Of(Enumerable.Range(1, 100).Select(i => (double)i).ToList());
        Assert.Equal((50.0, 90.0, 99.0), (stats.Median, stats.P90, stats.P99));
    }
}
