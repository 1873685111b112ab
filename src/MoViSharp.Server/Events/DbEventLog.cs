using System.Data.Common;

namespace MoViSharp.Server.Events;

/// <summary>The event log on any ADO.NET database that speaks <see cref="EventSchema"/>'s SQL (SQLite, PostgreSQL).</summary>
public abstract class DbEventLog : IEventLog
{
    public abstract string Kind { get; }

    protected abstract DbConnection Connect();

    public async Task InitializeAsync(CancellationToken cancel = default)
    {
        await using var connection = Connect();
        await connection.OpenAsync(cancel).ConfigureAwait(false);
        await Prepare(connection, cancel).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = EventSchema.Create;
        await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>Per-database settings on a new connection (e.g. SQLite's journal mode).</summary>
    protected virtual Task Prepare(DbConnection connection, CancellationToken cancel) => Task.CompletedTask;

    public async Task WriteAsync(IReadOnlyList<LabelEvent> events, CancellationToken cancel = default)
    {
        if (events.Count == 0) return;
        await using var connection = Connect();
        await connection.OpenAsync(cancel).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancel).ConfigureAwait(false);
        foreach (var e in events)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = EventSchema.Insert;
            EventSchema.Bind(command, e);
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancel).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LabelEvent>> ReadAsync(string? streamId, int limit, CancellationToken cancel = default)
    {
        await using var connection = Connect();
        await connection.OpenAsync(cancel).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = EventSchema.Select(streamId is not null);
        if (streamId is not null) EventSchema.Set(command, "@stream_id", streamId);
        EventSchema.Set(command, "@limit", limit);
        var result = new List<LabelEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false)) result.Add(EventSchema.Read(reader));
        return result;
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
