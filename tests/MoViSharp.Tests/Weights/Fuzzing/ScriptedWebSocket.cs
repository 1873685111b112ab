using System.Net.WebSockets;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>A WebSocket whose client sends a fixed script of fragments (then closes); what the server sends back is kept.</summary>
internal sealed class ScriptedWebSocket(IReadOnlyList<(WebSocketMessageType Type, bool End, byte[] Payload)> script) : WebSocket
{
    private int next, offset;
    private WebSocketState state = WebSocketState.Open;

    public List<(WebSocketMessageType Type, byte[] Bytes)> Sent { get; } = [];
    public WebSocketCloseStatus? Closed { get; private set; }

    public override WebSocketCloseStatus? CloseStatus => Closed;
    public override string? CloseStatusDescription => null;
    public override WebSocketState State => state;
    public override string? SubProtocol => null;

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (next >= script.Count)
        {
            state = WebSocketState.CloseReceived;
            return ValueTask.FromResult(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true));
        }
        var (type, end, payload) = script[next];
        int count = Math.Min(buffer.Length, payload.Length - offset);
        payload.AsSpan(offset, count).CopyTo(buffer.Span);
        offset += count;
        bool whole = offset == payload.Length;
        if (whole) (next, offset) = (next + 1, 0);
        if (type == WebSocketMessageType.Close) state = WebSocketState.CloseReceived;
        return ValueTask.FromResult(new ValueWebSocketReceiveResult(count, type, whole && end));
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var r = await ReceiveAsync(buffer.AsMemory(), cancellationToken);
        return new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage);
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        if (state is WebSocketState.Closed) throw new WebSocketException("The socket is closed.");
        Sent.Add((messageType, buffer.ToArray()));
        return Task.CompletedTask;
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        if (statusDescription is { Length: > 123 }) throw new ArgumentException("A close reason is at most 123 bytes.", nameof(statusDescription));
        (Closed, state) = (closeStatus, WebSocketState.Closed);
        return Task.CompletedTask;
    }

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override void Abort() => state = WebSocketState.Aborted;

    public override void Dispose() { }
}
