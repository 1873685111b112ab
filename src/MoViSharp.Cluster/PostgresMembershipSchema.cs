using Npgsql;
using Orleans.Runtime;

namespace MoViSharp.Cluster;

/// <summary>
/// The tables and queries Orleans' ADO.NET clustering provider (Microsoft.Orleans.Clustering.AdoNet) needs on PostgreSQL.
/// The provider runs no SQL of its own: at start it reads the text of each query it needs from a table named OrleansQuery
/// (QueryKey → QueryText) and then calls them with named parameters (@DeploymentId, @Address, @Port, @Generation, @Version …),
/// reading result columns by name. The 10.4.2 package ships no database scripts, so this is MoViSharp's own schema for that
/// contract, created idempotently by every silo at start-up.
///
/// Membership follows Orleans' optimistic protocol: one version row per cluster; inserting or updating a silo's row first
/// advances that version from the value the silo read (@Version), so of two silos racing on the same table version exactly
/// one wins, and the loser re-reads. Heartbeats (IAmAliveTime) do not change the version.
/// </summary>
public static class PostgresMembershipSchema
{
    /// <summary>The provider's invariant name for Npgsql.</summary>
    public const string Invariant = "Npgsql";

    private const string Versions = "movisharp_orleans_membership_versions";
    private const string Members = "movisharp_orleans_membership";

    private const string Tables = $"""
        CREATE TABLE IF NOT EXISTS OrleansQuery (
            QueryKey  VARCHAR(64) NOT NULL PRIMARY KEY,
            QueryText TEXT        NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {Versions} (
            deployment_id TEXT        NOT NULL PRIMARY KEY,
            version       INTEGER     NOT NULL,
            changed_utc   TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {Members} (
            deployment_id   TEXT        NOT NULL REFERENCES {Versions} (deployment_id) ON DELETE CASCADE,
            address         VARCHAR(45) NOT NULL,
            port            INTEGER     NOT NULL,
            generation      INTEGER     NOT NULL,
            silo_name       TEXT        NOT NULL,
            host_name       TEXT        NOT NULL,
            status          INTEGER     NOT NULL,
            proxy_port      INTEGER,
            suspect_times   TEXT,
            start_time      TIMESTAMPTZ NOT NULL,
            i_am_alive_time TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (deployment_id, address, port, generation)
        );
        """;

    // The columns the provider reads for a silo, under the names it asks for.
    private const string MemberColumns = """
        m.address AS "Address", m.port AS "Port", m.generation AS "Generation", m.silo_name AS "SiloName", m.host_name AS "HostName",
        m.status AS "Status", m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime",
        m.i_am_alive_time AS "IAmAliveTime"
        """;

    private const string SameSilo = "m.address = @Address AND m.port = @Port AND m.generation = @Generation";

    // Advances the cluster's version only when it still is the one the caller read.
    private const string AdvanceVersion = $"""
        UPDATE {Versions} SET version = version + 1, changed_utc = now()
        WHERE deployment_id = @DeploymentId AND version = @Version
        RETURNING deployment_id
        """;

    /// <summary>The provider's query keys and our SQL for each (every key it requires; it refuses to start without one).</summary>
    internal static readonly IReadOnlyDictionary<string, string> Queries = new Dictionary<string, string>
    {
        // A new cluster's version row; true when this call created it.
        ["InsertMembershipVersionKey"] = $"""
            WITH created AS (
                INSERT INTO {Versions} (deployment_id, version, changed_utc) VALUES (@DeploymentId, 0, now())
                ON CONFLICT (deployment_id) DO NOTHING RETURNING 1)
            SELECT count(*) > 0 FROM created
            """,
        // One row per silo with the table version beside it; a cluster without silos still yields its version (silo columns null).
        ["MembershipReadAllKey"] = $"""
            SELECT v.version AS "Version", {MemberColumns}
            FROM {Versions} v LEFT JOIN {Members} m ON m.deployment_id = v.deployment_id
            WHERE v.deployment_id = @DeploymentId
            """,
        ["MembershipReadRowKey"] = $"""
            SELECT v.version AS "Version", {MemberColumns}
            FROM {Versions} v LEFT JOIN {Members} m ON m.deployment_id = v.deployment_id AND {SameSilo}
            WHERE v.deployment_id = @DeploymentId
            """,
        ["InsertMembershipKey"] = $"""
            WITH advanced AS ({AdvanceVersion}),
            inserted AS (
                INSERT INTO {Members} (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
                SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime FROM advanced
                ON CONFLICT DO NOTHING RETURNING 1)
            SELECT count(*) > 0 FROM inserted
            """,
        ["UpdateMembershipKey"] = $"""
            WITH advanced AS ({AdvanceVersion}),
            updated AS (
                UPDATE {Members} m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
                FROM advanced WHERE m.deployment_id = advanced.deployment_id AND {SameSilo}
                RETURNING 1)
            SELECT count(*) > 0 FROM updated
            """,
        ["UpdateIAmAlivetimeKey"] = $"""
            UPDATE {Members} m SET i_am_alive_time = @IAmAliveTime WHERE m.deployment_id = @DeploymentId AND {SameSilo}
            """,
        // Gateways of active silos, for clients.
        ["GatewaysQueryKey"] = $"""
            SELECT m.address AS "Address", m.proxy_port AS "ProxyPort", m.generation AS "Generation"
            FROM {Members} m WHERE m.deployment_id = @DeploymentId AND m.status = @Status AND m.proxy_port > 0
            """,
        ["DeleteMembershipTableEntriesKey"] = $"DELETE FROM {Versions} WHERE deployment_id = @DeploymentId",
        // Rows of silos declared dead whose last heartbeat is older than the cutoff.
        ["CleanupDefunctSiloEntriesKey"] = $"""
            DELETE FROM {Members} m
            WHERE m.deployment_id = @DeploymentId AND m.status = {(int)SiloStatus.Dead} AND m.i_am_alive_time < @IAmAliveTime
            """,
    };

    /// <summary>Creates the tables when missing and writes the current text of every query (several processes may do this at once).</summary>
    public static Task EnsureAsync(string connectionString, CancellationToken cancel = default) =>
        OrleansQueryInstaller.InstallAsync(connectionString, "Orleans membership", Tables, Queries, cancel);

    /// <summary>Host and database of a connection string, never its password.</summary>
    internal static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"host {b.Host}, database {b.Database}, user {b.Username}";
    }
}
