using System.Threading.Channels;

namespace MoViSharp.Server.Events;

/// <summary>
/// Writes events in the background, in batches, so that the scheduler never waits for the database. A failed write is retried
/// (the insert is idempotent) until it succeeds or the writer is disposed; <see cref="FlushAsync"/> waits for what was posted.
/// </summary>
public sealed class EventLogWriter : IAsyncDisposable
{
    private readonly Channel<LabelEvent> pending = Channel.CreateUnbounded<LabelEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IEventLog log;
    private readonly Task loop;
    private readonly CancellationTokenSource stop = new();
    private long posted, written;

    public EventLogWriter(IEventLog log)
    {
        this.log = log;
        loop = Task.Run(RunAsync);
    }

    public string? LastError { get; private set; }
    public long Written => Interlocked.Read(ref written);

    public void Post(LabelEvent e)
    {
        Interlocked.Increment(ref posted);
        pending.Writer.TryWrite(e);
    }

    /// <summary>Waits until every event posted so far is stored (or the timeout passes).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        long target = Interlocked.Read(ref posted);
        var until = DateTime.UtcNow + timeout;
        while (Interlocked.Read(ref written) < target && DateTime.UtcNow < until) await Task.Delay(10).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<LabelEvent>();
        try
        {
            while (await pending.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (batch.Count < 500 && pending.Reader.TryRead(out var e)) batch.Add(e);
                while (true)
                {
                    try
                    {
                        await log.WriteAsync(batch, stop.Token).ConfigureAwait(false);
                        LastError = null;
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LastError = e.Message;
                        await Task.Delay(500, stop.Token).ConfigureAwait(false);
                    }
                }
                Interlocked.Add(ref written, batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        // Give the last batch a moment; then stop retrying.
        if (await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false) != loop) stop.Cancel();
        try { await loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        stop.Dispose();
    }
}
