namespace MoViSharp.Cluster;

/// <summary>
/// The table and queries Orleans' ADO.NET grain storage provider (Microsoft.Orleans.Persistence.AdoNet) needs on PostgreSQL.
/// Like the clustering provider it runs no SQL of its own: at start it reads four query texts from OrleansQuery
/// (WriteToStorageKey, ReadFromStorageKey, ClearStorageKey, DeleteStorageKey) and calls them with named parameters: the grain's
/// key (@GrainIdN0, @GrainIdN1, @GrainIdExtensionString — the string key —, @GrainTypeString, @ServiceId, plus the hashes
/// @GrainIdHash and @GrainTypeHash, which we ignore), @GrainStateVersion (the ETag the grain holds, null before its first
/// write) and @PayloadBinary (the serialized state). It reads the columns "PayloadBinary" and "Version" from a read, and
/// "NewGrainStateVersion" from a write, clear or delete (keys, parameters and columns read from the string literals in the
/// 10.4.2 DLL's IL). The package ships no scripts; this is our own schema for that contract, created idempotently by every
/// silo at start-up.
///
/// Concurrency: a write succeeds only when the version it names is the stored one (or, with no version, when no row exists);
/// then the version advances by one and is returned. Otherwise no row comes back and the provider refuses the write with an
/// InconsistentStateException — a stale activation can never overwrite a newer state.
/// </summary>
public static class PostgresGrainStorageSchema
{
    private const string Table = "movisharp_orleans_grain_state";

    /// <summary>Room for Orleans' serializer framing around a checkpoint of <see cref="CheckpointLimits.MaxBytes"/>.</summary>
    internal const int MaxPayloadBytes = CheckpointLimits.MaxBytes + (1 << 20);

    private static readonly string Tables = $"""
        CREATE TABLE IF NOT EXISTS OrleansQuery (
            QueryKey  VARCHAR(64) NOT NULL PRIMARY KEY,
            QueryText TEXT        NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {Table} (
            service_id   TEXT        NOT NULL,
            grain_type   TEXT        NOT NULL,
            grain_n0     BIGINT      NOT NULL,
            grain_n1     BIGINT      NOT NULL,
            grain_key    TEXT        NOT NULL,
            version      INTEGER     NOT NULL,
            payload      BYTEA       CHECK (payload IS NULL OR octet_length(payload) <= {MaxPayloadBytes}),
            modified_utc TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (service_id, grain_type, grain_n0, grain_n1, grain_key)
        );
        """;

    // The grain's natural key; a grain without a string key stores '' (the key columns are NOT NULL so that the primary key holds).
    private const string SameGrain = """
        s.service_id = @ServiceId AND s.grain_type = @GrainTypeString AND s.grain_n0 = @GrainIdN0 AND s.grain_n1 = @GrainIdN1
        AND s.grain_key = coalesce(CAST(@GrainIdExtensionString AS TEXT), '')
        """;

    // The ETag the caller holds; null for a grain that believes it has never written.
    private const string Expected = "CAST(@GrainStateVersion AS INTEGER)";

    /// <summary>The provider's query keys and our SQL for each (it refuses to start when one is missing).</summary>
    internal static readonly IReadOnlyDictionary<string, string> Queries = new Dictionary<string, string>
    {
        ["ReadFromStorageKey"] = $"""
            SELECT s.payload AS "PayloadBinary", s.version AS "Version" FROM {Table} s WHERE {SameGrain}
            """,
        // An update of the version the caller read, or the first insert when it read none; one row with the new version, or none.
        ["WriteToStorageKey"] = $"""
            WITH updated AS (
                UPDATE {Table} s SET payload = @PayloadBinary, version = s.version + 1, modified_utc = now()
                WHERE {SameGrain} AND s.version = {Expected}
                RETURNING s.version),
            inserted AS (
                INSERT INTO {Table} (service_id, grain_type, grain_n0, grain_n1, grain_key, version, payload, modified_utc)
                SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(CAST(@GrainIdExtensionString AS TEXT), ''), 1, @PayloadBinary, now()
                WHERE {Expected} IS NULL
                ON CONFLICT DO NOTHING
                RETURNING version)
            SELECT version AS "NewGrainStateVersion" FROM updated UNION ALL SELECT version FROM inserted
            """,
        // Keeps the row (and its version, so that the next write still needs the current ETag) without a payload.
        ["ClearStorageKey"] = $"""
            UPDATE {Table} s SET payload = NULL, version = s.version + 1, modified_utc = now()
            WHERE {SameGrain} AND s.version = {Expected}
            RETURNING s.version AS "NewGrainStateVersion"
            """,
        ["DeleteStorageKey"] = $"""
            DELETE FROM {Table} s WHERE {SameGrain} AND s.version = {Expected}
            RETURNING s.version + 1 AS "NewGrainStateVersion"
            """,
    };

    /// <summary>Creates the table when missing and writes the current text of every query, under the schema lock.</summary>
    public static Task EnsureAsync(string connectionString, CancellationToken cancel = default) =>
        OrleansQueryInstaller.InstallAsync(connectionString, "Orleans grain storage", Tables, Queries, cancel);
}
