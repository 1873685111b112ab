using System.Data.Common;
using Npgsql;

namespace MoViSharp.Server.Events;

/// <summary>The event log in PostgreSQL (same table and SQL as SQLite).</summary>
public sealed class PostgresEventLog(string connectionString) : DbEventLog
{
    private readonly NpgsqlDataSource source = NpgsqlDataSource.Create(connectionString);

    public override string Kind => "postgresql";

    protected override DbConnection Connect() => source.CreateConnection();

    public override async ValueTask DisposeAsync() => await source.DisposeAsync().ConfigureAwait(false);
}
