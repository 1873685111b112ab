using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace MoViSharp.Server.Events;

/// <summary>The event log in one SQLite file (write-ahead journal: readers never wait for the writer).</summary>
public sealed class SqliteEventLog(string path) : DbEventLog
{
    private readonly string connectionString = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Pooling = true }.ToString();

    public override string Kind => "sqlite";

    protected override DbConnection Connect() => new SqliteConnection(connectionString);

    protected override async Task Prepare(DbConnection connection, CancellationToken cancel)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
        await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections hold the file open; release them so that the file can be moved or deleted.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
