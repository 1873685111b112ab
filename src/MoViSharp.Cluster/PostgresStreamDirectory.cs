using System.Data.Common;
using Npgsql;

namespace MoViSharp.Cluster;

/// <summary>The stream directory in PostgreSQL: what silos on several machines share.</summary>
public sealed class PostgresStreamDirectory(string connectionString, string scope = "default") : DbStreamDirectory(scope)
{
    private readonly NpgsqlDataSource source = NpgsqlDataSource.Create(connectionString);

    protected override DbConnection Connect() => source.CreateConnection();

    protected override string CreateTable => $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            scope      TEXT    NOT NULL,
            stream_id  TEXT    NOT NULL,
            next_frame BIGINT  NOT NULL,
            ended      BOOLEAN NOT NULL,
            saved_utc  TEXT    NOT NULL,
            PRIMARY KEY (scope, stream_id)
        )
        """;

    public override async Task InitializeAsync(CancellationToken cancel = default)
    {
        // Silos starting together would race on CREATE TABLE IF NOT EXISTS (PostgreSQL can fail one of them); a lock serialises them.
        await using var connection = await OpenAsync(cancel).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancel).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT pg_advisory_xact_lock({PostgresSchemaLock.Key}); {CreateTable}";
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancel).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync() => await source.DisposeAsync().ConfigureAwait(false);
}
