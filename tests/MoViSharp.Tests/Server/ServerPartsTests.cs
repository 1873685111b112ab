using MoViSharp.Cluster;
using MoViSharp.Server.Events;
using MoViSharp.Server.Metrics;
using MoViSharp.Server.Scheduling;
using MoViSharp.Server.Streams;
using MoViSharp.Server.Web;

namespace MoViSharp.Tests.Server;

[Collection(ServerCollection.Name)]
public class ServerPartsTests
{
    private static QueuedFrame Frame(long i, bool start = false) => new([(byte)i], i, 0, start);

    [Fact]
    public void FrameQueue_Full_DropsOldest_AndKeepsAVideoStart()
    {
        var q = new FrameQueue(3);
        q.Enqueue(Frame(0, start: true));
        for (int i = 1; i < 5; i++) q.Enqueue(Frame(i));
        Assert.Equal(2, q.Dropped);
        Assert.True(q.TryDequeue(out var head));
        Assert.Equal(2, head.Index);
        Assert.True(head.StartsVideo);   // frame 0 started a video and was dropped: the restart moves to the new head
        Assert.True(q.TryDequeue(out var next));
        Assert.False(next.StartsVideo);
        Assert.Equal(3, next.Index);
    }

    [Fact]
    public void LabelChangeDetector_NeedsTheHold_IgnoresTheDelay_AndNumbersEvents()
    {
        var d = new LabelChangeDetector(hold: 2, delay: 1);
        Assert.Null(d.Observe(5));                 // inside the delay
        Assert.Null(d.Observe(1));
        Assert.Equal((1, (int?)null, 0L), d.Observe(1));
        Assert.Null(d.Observe(2));                 // one frame is not a change
        Assert.Null(d.Observe(1));
        Assert.Null(d.Observe(2));
        Assert.Equal((2, (int?)1, 1L), d.Observe(2));
        d.StartVideo();
        Assert.Null(d.Observe(3));                 // delay again after a new video
        Assert.Null(d.Observe(3));
        Assert.Equal((3, (int?)2, 2L), d.Observe(3));
    }

    [Fact]
    public async Task EventLog_SameEventTwice_IsStoredOnce()
    {
        string folder = Directory.CreateTempSubdirectory("movisharp-log-").FullName;
        await using var log = new SqliteEventLog(Path.Combine(folder, "e.db"));
        await log.InitializeAsync();
        var e = new LabelEvent("s", "r1", 0, 10, DateTimeOffset.UnixEpoch, "bounce", 0.5f, null);
        await log.WriteAsync([e, e with { Seq = 1, Label = "spin", Previous = "bounce" }]);
        await log.WriteAsync([e with { At = DateTimeOffset.UtcNow }]);
        var stored = await log.ReadAsync("s", 10);
        Assert.Equal(["bounce", "spin"], stored.Select(x => x.Label));
        Assert.Equal(e, stored[0]);
    }

    [Fact]
    public void Bitmap_IsA24BitTopDownBmp()
    {
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3];
        var bmp = Bitmap.Encode(rgb, 2, 2);
        Assert.Equal("BM", System.Text.Encoding.ASCII.GetString(bmp, 0, 2));
        Assert.Equal(54 + 2 * 8, bmp.Length);                       // rows padded to 4 bytes
        Assert.Equal(-2, BitConverter.ToInt32(bmp, 22));
        Assert.Equal(new byte[] { 0, 0, 255, 0, 255, 0 }, bmp[54..60]);   // B, G, R
    }

    [Fact]
    public void Metrics_RenderPrometheusText()
    {
        var m = new ServerMetrics();
        m.RecordStep(3, 0.01);
        m.RecordStep(20, 0.03);
        var text = m.Render([]);
        Assert.Contains("movisharp_batch_size_bucket{le=\"4\"} 1\n", text);
        Assert.Contains("movisharp_batch_size_bucket{le=\"32\"} 2\n", text);
        Assert.Contains("movisharp_batch_size_sum 23\n", text);
        Assert.Contains("movisharp_model_step_seconds{quantile=\"0.5\"} 0.01\n", text);
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? \S+)$", line));
    }

    /// <summary>
    /// A stream that misses ticks leaves the batch and rejoins: its logits must be exactly those of the same frames classified
    /// alone, and so must those of the stream that never missed one.
    /// </summary>
    [Fact]
    public void Lane_StreamThatSitsOutSteps_GetsTheLogitsItWouldGetAlone()
    {
        using var models = TestServer.DemoCatalog();
        var (_, classifier) = models.Get("demo");
        int size = classifier.Preprocessing.Size;
        var metrics = new ServerMetrics();
        using var lane = new Lane("demo", classifier, 15, metrics);
        LiveStream Make(string id) => new(id, new StreamSpec { Id = id, Kind = SourceKind.Push }, "demo", classifier, 64, 100, 1,
            () => new PushSource(size, size), new PushSource(size, size));
        var a = Make("a");
        var b = Make("b");
        lane.Add(a);
        lane.Add(b);
        var frames = new SyntheticFrames(7, classifier.Preprocessing.Frames, size);
        var other = new SyntheticFrames(8, classifier.Preprocessing.Frames, size);
        using var soloA = new StreamStepper(classifier, new StreamResults("a", classifier.Labels!, 100, 1, classifier.Delay));
        using var soloB = new StreamStepper(classifier, new StreamResults("b", classifier.Labels!, 100, 1, classifier.Delay));
        long fb = 0;
        for (long t = 0; t < 20; t++)
        {
            a.Queue.Enqueue(frames.Frame(t));
            soloA.Advance(frames.Frame(t));
            if (t % 3 != 1)   // b's frame misses every third tick
            {
                b.Queue.Enqueue(other.Frame(fb));
                soloB.Advance(other.Frame(fb));
                fb++;
            }
            lane.Step();
            AssertSame(soloA, a);
            AssertSame(soloB, b);
        }
        Assert.True(metrics.MeanBatch is > 1 and < 2);

        static void AssertSame(StreamStepper solo, LiveStream served)
        {
            var expected = solo.Results.Latest!.Top;
            var actual = served.Results.Latest!.Top;
            Assert.Equal(expected.Select(c => c.Index), actual.Select(c => c.Index));
            for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Probability, actual[i].Probability, 1e-5);   // batched and solo convolutions round differently
        }
    }

    [Fact]
    public void Checkpoint_RoundTrip_ContinuesTheStreamExactly()
    {
        using var models = TestServer.DemoCatalog();
        var (_, classifier) = models.Get("demo");
        var frames = new SyntheticFrames(3, classifier.Preprocessing.Frames, classifier.Preprocessing.Size);
        using var original = new StreamStepper(classifier, new StreamResults("s", classifier.Labels!, 10, 1, classifier.Delay));
        for (long f = 0; f < 5; f++) original.Advance(frames.Frame(f));
        using var state = original.Export();
        var bytes = new StreamCheckpoint(new ClusterStreamSpec(3, 15, "demo", 0), "run", 5, original.Results.Detector.State, false).Serialize(state);
        var (checkpoint, restored) = StreamCheckpoint.Deserialize(bytes);
        Assert.Equal(5, checkpoint.NextFrame);
        Assert.Equal(original.Results.Detector.State, checkpoint.Detector);
        using var resumed = new StreamStepper(classifier, new StreamResults("s", classifier.Labels!, 10, 1, classifier.Delay));
        using (restored) resumed.Import(restored);
        for (long f = 5; f < 9; f++)
        {
            original.Advance(frames.Frame(f));
            resumed.Advance(frames.Frame(f));
            Assert.Equal(original.Results.Latest!.Top.Select(c => c.Probability), resumed.Results.Latest!.Top.Select(c => c.Probability));
        }
    }
}
