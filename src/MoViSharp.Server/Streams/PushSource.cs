namespace MoViSharp.Server.Streams;

/// <summary>
/// Frames pushed by a client (WebSocket binary messages or HTTP bodies): rgb24 at the model's size, exactly width×height×3
/// bytes. The stream runs until removed; a malformed frame is refused to its sender and never reaches the stream.
/// </summary>
public sealed class PushSource(int width, int height) : IStreamSource
{
    private Action<QueuedFrame>? sink;
    private long index;

    public string Description => $"pushed rgb24 {width}x{height}";
    public int FrameBytes => width * height * 3;

    public async Task RunAsync(Action<QueuedFrame> emit, CancellationToken cancel)
    {
        Volatile.Write(ref sink, emit);
        try { await Task.Delay(Timeout.Infinite, cancel).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        finally { Volatile.Write(ref sink, null); }
    }

    /// <summary>Queues one frame; throws <see cref="BadRequestException"/> when it has the wrong size or the stream is not running.</summary>
    public void Push(ReadOnlySpan<byte> rgb)
    {
        if (rgb.Length != FrameBytes)
            throw new BadRequestException($"A pushed frame must be rgb24 {width}x{height} ({FrameBytes} bytes), got {rgb.Length} bytes.");
        var emit = Volatile.Read(ref sink) ?? throw new BadRequestException("The stream is not running; restart it first.", 409);
        long i = Interlocked.Increment(ref index) - 1;
        emit(new QueuedFrame(rgb.ToArray(), i, FrameClock.Now, i == 0));
    }
}
