using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace MoViSharp.Cluster;

/// <summary>The stream directory in one SQLite file (write-ahead journal, like the event log): the embedded default, for silos on one machine.</summary>
public sealed class SqliteStreamDirectory(string path, string scope = "default") : DbStreamDirectory(scope)
{
    private readonly string connectionString = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Pooling = true }.ToString();

    protected override DbConnection Connect() => new SqliteConnection(connectionString);

    protected override string CreateTable => $"""
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS {Table} (
            scope      TEXT    NOT NULL,
            stream_id  TEXT    NOT NULL,
            next_frame INTEGER NOT NULL,
            ended      INTEGER NOT NULL,
            saved_utc  TEXT    NOT NULL,
            PRIMARY KEY (scope, stream_id)
        )
        """;

    public override ValueTask DisposeAsync()
    {
        // Pooled connections hold the file open; release them so that the file can be moved or deleted.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
