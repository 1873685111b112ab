using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MoViSharp.Server.Streams;

namespace MoViSharp.Server.Web;

/// <summary>
/// The HTTP API. Reads are open; everything that changes state needs the API key (when one is configured). Every refusal is
/// a JSON {"error": "..."} with a 4xx status that says what was wrong; it touches no other stream.
/// </summary>
internal static class Endpoints
{
    public static void Map(WebApplication app, StreamServer server)
    {
        app.UseWebSockets();
        AnswerRefusalsAsJson(app);

        var registry = server.Streams;
        var key = server.Options.ApiKey;

        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/app.js", () => Asset("app.js"));
        app.MapGet("/style.css", () => Asset("style.css"));

        app.MapGet("/health", () => Results.Json(new
        {
            status = server.Scheduler.LastError is null && server.EventWriter.LastError is null ? "ok" : "degraded",
            uptimeSeconds = (DateTimeOffset.UtcNow - server.StartedAt).TotalSeconds,
            streams = registry.All.Count,
            running = registry.All.Count(s => s.Status == StreamStatus.Running),
            models = server.Models.Names,
            eventLog = server.EventLog.Kind,
            eventsWritten = server.EventWriter.Written,
            schedulerError = server.Scheduler.LastError,
            eventLogError = server.EventWriter.LastError,
        }, StreamServer.Json));

        app.MapGet("/metrics", () => Results.Text(server.Metrics.Render(registry.All), "text/plain; version=0.0.4; charset=utf-8"));

        app.MapGet("/models", () => Results.Json(server.Models.Names.Select(n =>
        {
            var c = server.Models.Get(n).Classifier;
            return new { name = n, classifier = c.Name, classes = c.NumClasses, labels = c.Labels, size = c.Preprocessing.Size, isDefault = n == server.Models.Default };
        }), StreamServer.Json));

        app.MapGet("/streams", () => Results.Json(registry.All.Select(StreamView.Of), StreamServer.Json));

        app.MapGet("/streams/{id}", (string id) => Results.Json(StreamView.Of(registry.Get(id)), StreamServer.Json));

        app.MapGet("/streams/{id}/predictions", (string id, int? last) =>
        {
            int n = last ?? 20;
            if (n is < 1 or > 10_000) throw new BadRequestException($"last must be 1…10000, not {n}.");
            return Results.Json(registry.Get(id).Results.Last(n), StreamServer.Json);
        });

        app.MapGet("/streams/{id}/thumbnail", (string id) =>
        {
            var s = registry.Get(id);
            var frame = s.LastFrame ?? throw new BadRequestException($"Stream '{id}' has no frame yet.", 404);
            return Results.Bytes(Bitmap.Encode(frame, s.Size, s.Size), "image/bmp");
        });

        app.MapGet("/events", async (string? stream, int? limit, CancellationToken cancel) =>
        {
            int n = limit ?? 100;
            if (n is < 1 or > 10_000) throw new BadRequestException($"limit must be 1…10000, not {n}.");
            return Results.Json(await server.EventLog.ReadAsync(stream, n, cancel), StreamServer.Json);
        });

        app.MapGet("/live", (HttpContext context) => LiveAsync(context, server));

        var changes = app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            Authorize(context.HttpContext, key);
            return await next(context);
        });

        changes.MapPost("/streams", async (HttpRequest request, CancellationToken cancel) =>
        {
            if (request.ContentLength is > 0 && !request.HasJsonContentType())
                throw new BadRequestException($"POST /streams takes application/json, not '{request.ContentType}'.", 415);
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancel);
            var spec = StreamSpecBody.Decode(body.GetBuffer().AsSpan(0, (int)body.Length));
            var s = await registry.AddAsync(spec, cancel);
            return Results.Json(StreamView.Of(s), StreamServer.Json, statusCode: 201);
        });

        changes.MapDelete("/streams/{id}", (string id) =>
        {
            registry.Remove(id);
            return Results.NoContent();
        });

        changes.MapPost("/streams/{id}/restart", (string id) => Results.Json(StreamView.Of(registry.Restart(id)), StreamServer.Json));

        changes.MapPost("/streams/{id}/frames", async (string id, HttpRequest request) =>
        {
            var push = PushOf(registry.Get(id));
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            push.Push(body.GetBuffer().AsSpan(0, (int)body.Length));
            return Results.Accepted();
        });

        // Browsers cannot set headers on a WebSocket: the key may come as ?key=.
        app.MapGet("/streams/{id}/ws", async (string id, HttpContext context) =>
        {
            Authorize(context, key);
            if (!context.WebSockets.IsWebSocketRequest) throw new BadRequestException("This endpoint takes a WebSocket of binary rgb24 frames.");
            var push = PushOf(registry.Get(id));
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await ReceiveFramesAsync(socket, push, context.RequestAborted);
        });
    }

    private static PushSource PushOf(LiveStream s) =>
        s.Source as PushSource ?? throw new BadRequestException($"Stream '{s.Id}' is a {s.Spec.Kind.ToString().ToLowerInvariant()} stream; frames can only be pushed to a push stream.", 409);

    /// <summary>Each binary message is one frame. A malformed one closes the socket with the reason; the stream itself goes on.</summary>
    internal static async Task ReceiveFramesAsync(WebSocket socket, PushSource push, CancellationToken cancel)
    {
        var buffer = new byte[push.FrameBytes + 1];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length) { await Close(WebSocketCloseStatus.MessageTooBig, $"A frame must be {push.FrameBytes} bytes."); return; }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                    length += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancel);
                    return;
                }
                if (result.MessageType != WebSocketMessageType.Binary) { await Close(WebSocketCloseStatus.InvalidMessageType, "Send frames as binary messages."); return; }
                try
                {
                    push.Push(buffer.AsSpan(0, length));
                }
                catch (BadRequestException e)
                {
                    await Close(WebSocketCloseStatus.InvalidPayloadData, e.Message);
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away; the stream waits for the next one.
        }

        async Task Close(WebSocketCloseStatus status, string reason)
        {
            // The close reason is limited to 123 bytes; the full message goes first as a text frame.
            await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { error = reason })), WebSocketMessageType.Text, true, cancel);
            await socket.CloseAsync(status, reason.Length > 120 ? reason[..120] : reason, cancel);
        }
    }

    private static async Task LiveAsync(HttpContext context, StreamServer server)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var cancel = context.RequestAborted;
        var feed = server.Feed.Subscribe(cancel);
        var writer = context.Response.Body;
        async Task Send(string name, string data)
        {
            await writer.WriteAsync(Encoding.UTF8.GetBytes($"event: {name}\ndata: {data}\n\n"), cancel);
            await writer.FlushAsync(cancel);
        }
        try
        {
            await Send("snapshot", JsonSerializer.Serialize(server.Streams.All.Select(StreamView.Of), StreamServer.Json));
            while (!cancel.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                idle.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    if (!await feed.WaitToReadAsync(idle.Token)) break;
                    while (feed.TryRead(out var message)) await Send(message.Event, message.Data);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    await writer.WriteAsync(": keep-alive\n\n"u8.ToArray(), cancel);   // keeps proxies from closing an idle stream
                    await writer.FlushAsync(cancel);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    /// <summary>Turns a refused request (<see cref="BadRequestException"/>, malformed JSON) into <c>{"error", "status"}</c> with its status.</summary>
    internal static void AnswerRefusalsAsJson(WebApplication app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (BadRequestException e) when (!context.Response.HasStarted)
        {
            await Error(context, e.Status, e.Message);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            string message = e.InnerException is JsonException j ? $"Malformed JSON: {j.Message}" : e.Message;
            await Error(context, e.StatusCode, message);
        }
    });

    /// <summary>Refuses a state change without the configured key (401) or with a wrong one (403, compared in constant time).</summary>
    internal static void Authorize(HttpContext context, string? key)
    {
        if (key is null) return;
        string? given = context.Request.Headers["X-Api-Key"].FirstOrDefault() ?? context.Request.Query["key"].FirstOrDefault();
        if (given is null) throw new BadRequestException("This endpoint changes state: send the API key in the X-Api-Key header.", 401);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
            throw new BadRequestException("Wrong API key.", 403);
    }

    private static IResult Asset(string file) =>
        StaticAssets.TryGet(file, out var bytes, out var type) ? Results.Bytes(bytes, type) : Results.NotFound();

    private static Task Error(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error = message, status }));
    }
}
