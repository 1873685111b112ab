using System.Net;
using System.Net.WebSockets;
using MoViSharp.Server.Streams;

namespace MoViSharp.Tests.Server;

[Collection(ServerCollection.Name)]
public class ServerApiTests
{
    [Fact]
    public async Task Server_SyntheticStream_PredictsAndReports()
    {
        await using var t = await TestServer.StartAsync();
        var added = await t.PostStreamAsync(new { id = "cam-a", kind = "synthetic", fps = 30, seed = 3 });
        Assert.Equal("running", added.GetProperty("status").GetString());
        var stream = t.Server.Streams.Get("cam-a");
        await TestServer.WaitUntilAsync(() => stream.Results.Latest is not null, "a first prediction");

        var view = await t.GetJsonAsync("/streams/cam-a");
        var top = view.GetProperty("latest").GetProperty("top");
        Assert.Equal(3, top.GetArrayLength());
        float sum = 0;
        foreach (var c in top.EnumerateArray()) sum += c.GetProperty("probability").GetSingle();
        Assert.InRange(sum, 0.01f, 1.0001f);

        var list = await t.GetJsonAsync("/streams");
        Assert.Equal("cam-a", Assert.Single(list.EnumerateArray()).GetProperty("id").GetString());
        var predictions = await t.GetJsonAsync("/streams/cam-a/predictions?last=5");
        Assert.InRange(predictions.GetArrayLength(), 1, 5);

        var metrics = await t.Http.GetStringAsync("/metrics");
        Assert.Contains("movisharp_frames_processed_total{stream=\"cam-a\",model=\"demo\"}", metrics);
        Assert.Contains("movisharp_batch_size_bucket{le=\"+Inf\"}", metrics);
        Assert.Contains("movisharp_model_step_seconds{quantile=\"0.99\"}", metrics);
        Assert.Contains("movisharp_frames_dropped_total", metrics);
        Assert.Contains("movisharp_stream_lag_seconds", metrics);

        var health = await t.GetJsonAsync("/health");
        Assert.Equal("sqlite", health.GetProperty("eventLog").GetString());
        var thumbnail = await t.Http.GetByteArrayAsync("/streams/cam-a/thumbnail");
        Assert.Equal((byte)'B', thumbnail[0]);
        Assert.Equal(54 + 64 * 64 * 3, thumbnail.Length);

        var removed = await t.Http.DeleteAsync("/streams/cam-a");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await t.Http.GetAsync("/streams/cam-a")).StatusCode);
    }

    [Fact]
    public async Task Server_BadRequests_AreRefusedClearlyAndOtherStreamsGoOn()
    {
        await using var t = await TestServer.StartAsync();
        await t.PostStreamAsync(new { id = "steady", kind = "synthetic", fps = 30 });
        var steady = t.Server.Streams.Get("steady");
        await TestServer.WaitUntilAsync(() => steady.Processed > 0, "the steady stream to start");

        Assert.Contains("Unknown model 'nope'", (await t.PostStreamAsync(new { kind = "synthetic", model = "nope" }, 400)).GetProperty("error").GetString());
        Assert.Contains("not found", (await t.PostStreamAsync(new { kind = "file", source = "/no/such/video.mp4" }, 422)).GetProperty("error").GetString());
        Assert.Contains("unreachable", (await t.PostStreamAsync(new { kind = "url", source = "http://127.0.0.1:9/x.mp4" }, 422)).GetProperty("error").GetString());
        Assert.Contains("fps", (await t.PostStreamAsync(new { kind = "synthetic", fps = -1 }, 400)).GetProperty("error").GetString());
        Assert.Contains("exists already", (await t.PostStreamAsync(new { id = "steady", kind = "synthetic" }, 409)).GetProperty("error").GetString());

        var malformed = await t.Http.PostAsync("/streams", new StringContent("{\"kind\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("Malformed JSON", await malformed.Content.ReadAsStringAsync());

        using var anonymous = new HttpClient { BaseAddress = t.Server.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync("/streams/steady")).StatusCode);
        anonymous.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.DeleteAsync("/streams/steady")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/streams/steady")).StatusCode);   // reading needs no key

        await t.PostStreamAsync(new { id = "cam", kind = "push" });
        var wrongSize = await t.Http.PostAsync("/streams/cam/frames", new ByteArrayContent(new byte[1000]));
        Assert.Equal(HttpStatusCode.BadRequest, wrongSize.StatusCode);
        Assert.Contains("12288 bytes", await wrongSize.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await t.Http.PostAsync("/streams/steady/frames", new ByteArrayContent(new byte[12288]))).StatusCode);

        long before = steady.Processed;
        await TestServer.WaitUntilAsync(() => steady.Processed > before + 3, "the steady stream to go on after the bad requests");
        Assert.Equal(StreamStatus.Running, steady.Status);
        Assert.Equal(2, t.Server.Streams.All.Count);   // the refused ones left nothing behind
    }

    [Fact]
    public async Task Server_PushedFrames_OverHttpAndWebSocket_AreClassified_AndMalformedOnesCloseTheSocket()
    {
        await using var t = await TestServer.StartAsync();
        await t.PostStreamAsync(new { id = "browser", kind = "push", fps = 30 });
        var stream = t.Server.Streams.Get("browser");
        var frame = new byte[64 * 64 * 3];
        new Random(1).NextBytes(frame);

        Assert.Equal(HttpStatusCode.Accepted, (await t.Http.PostAsync("/streams/browser/frames", new ByteArrayContent(frame))).StatusCode);
        await TestServer.WaitUntilAsync(() => stream.Processed == 1, "the pushed frame to be classified");

        using var socket = new ClientWebSocket();
        var ws = new UriBuilder(t.Server.Address) { Scheme = "ws", Path = "/streams/browser/ws", Query = $"key={TestServer.Key}" }.Uri;
        await socket.ConnectAsync(ws, CancellationToken.None);
        for (int i = 0; i < 3; i++)
        {
            await socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);
            long expected = 2 + i;
            await TestServer.WaitUntilAsync(() => stream.Processed == expected, $"pushed frame {expected}");
        }
        await socket.SendAsync(new byte[10], WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[4096];
        var text = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Contains("12288 bytes", System.Text.Encoding.UTF8.GetString(buffer, 0, text.Count));
        var close = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, socket.CloseStatus);
        Assert.Equal(StreamStatus.Running, stream.Status);
        Assert.Equal(4, stream.Processed);
    }

    [Fact]
    public async Task Server_LiveFeed_PushesPredictions()
    {
        await using var t = await TestServer.StartAsync();
        await t.PostStreamAsync(new { id = "sse", kind = "synthetic", fps = 30 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await t.Http.GetAsync("/live", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var seen = new List<string>();
        while (!seen.Contains("event: prediction"))
            seen.Add(await reader.ReadLineAsync(cancel.Token) ?? throw new EndOfStreamException("The live feed ended."));
        Assert.Equal("event: snapshot", seen[0]);
    }

    [Fact]
    public async Task Server_EventLog_SurvivesARestart()
    {
        string folder = Directory.CreateTempSubdirectory("movisharp-server-").FullName;
        List<string> logged;
        await using (var first = await TestServer.StartAsync(folder))
        {
            await first.PostStreamAsync(new { id = "kept", kind = "synthetic", fps = 30, seed = 11 });
            await TestServer.WaitUntilAsync(() => first.Server.EventWriter.Written >= 2, "two label changes to be stored");
            logged = (await first.Server.EventLog.ReadAsync("kept", 1000)).Select(e => $"{e.Run}/{e.Seq}/{e.Label}").ToList();
        }
        await using var second = await TestServer.StartAsync(folder);
        var events = await second.GetJsonAsync("/events?stream=kept&limit=1000");
        var reread = events.EnumerateArray().Select(e => $"{e.GetProperty("run").GetString()}/{e.GetProperty("seq").GetInt64()}/{e.GetProperty("label").GetString()}").ToList();
        Assert.True(logged.Count >= 2);
        Assert.Equal(logged, reread.Take(logged.Count));
        Assert.Equal(Enumerable.Range(0, reread.Count).Select(i => (long)i), events.EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
    }
}
