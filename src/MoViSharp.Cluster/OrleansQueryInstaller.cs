using Npgsql;

namespace MoViSharp.Cluster;

/// <summary>
/// Installs one schema for an Orleans ADO.NET provider on PostgreSQL: under the shared advisory lock, creates its tables when
/// missing and writes the current text of each of its OrleansQuery rows, in one transaction (several silos may start at once).
/// </summary>
internal static class OrleansQueryInstaller
{
    /// <param name="purpose">What the schema serves, for the error when the database cannot be reached ("Orleans membership").</param>
    /// <param name="tables">Idempotent DDL (CREATE TABLE IF NOT EXISTS …), including the OrleansQuery table.</param>
    /// <param name="queries">QueryKey → QueryText rows the provider reads at start.</param>
    public static async Task InstallAsync(string connectionString, string purpose, string tables,
        IReadOnlyDictionary<string, string> queries, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"Cannot reach the PostgreSQL database for {purpose} ({PostgresMembershipSchema.Describe(connectionString)}): {e.Message}", e);
        }
        await using var transaction = await connection.BeginTransactionAsync(cancel).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresSchemaLock.Key}); {tables}", connection, transaction))
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        foreach (var (key, text) in queries)
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ($1, $2) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText",
                connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            command.Parameters.Add(new NpgsqlParameter { Value = text });
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancel).ConfigureAwait(false);
    }
}
