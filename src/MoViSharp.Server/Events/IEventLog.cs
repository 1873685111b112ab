namespace MoViSharp.Server.Events;

/// <summary>
/// Where label changes are kept: SQLite (one file, the default) or PostgreSQL, with one schema. Writes are idempotent on
/// (stream, run, seq), so an event written twice — a stream replayed after a failover — is stored once.
/// </summary>
public interface IEventLog : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgresql", for /health.</summary>
    string Kind { get; }

    Task InitializeAsync(CancellationToken cancel = default);

    Task WriteAsync(IReadOnlyList<LabelEvent> events, CancellationToken cancel = default);

    /// <summary>The latest <paramref name="limit"/> events (of one stream when given), oldest first.</summary>
    Task<IReadOnlyList<LabelEvent>> ReadAsync(string? streamId, int limit, CancellationToken cancel = default);
}
