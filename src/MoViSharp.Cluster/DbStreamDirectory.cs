using System.Data.Common;
using System.Globalization;

namespace MoViSharp.Cluster;

/// <summary>
/// The stream directory in one table of an ADO.NET database (SQLite, PostgreSQL): a row per stream with its last checkpointed
/// frame and whether it ended — no model state (that is Orleans grain state). A record is one upsert that never moves a stream
/// backwards: an entry older than the stored one (from an activation that lost its silo but still ran for a moment) is
/// ignored. Rows are kept per <see cref="Scope"/> (a cluster id), so that clusters sharing one database never see, or resume,
/// each other's streams.
/// </summary>
public abstract class DbStreamDirectory(string scope) : IStreamDirectory, IAsyncDisposable
{
    protected const string Table = "stream_directory";

    public string Scope { get; } = scope is { Length: > 0 and <= 100 } ? scope : throw new ArgumentException($"A stream directory scope must be 1–100 characters, not '{scope}'.", nameof(scope));

    protected abstract DbConnection Connect();

    /// <summary>The CREATE TABLE in the database's own types.</summary>
    protected abstract string CreateTable { get; }

    public virtual async Task InitializeAsync(CancellationToken cancel = default)
    {
        await using var connection = await OpenAsync(cancel).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = CreateTable;
        await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }

    protected async Task<DbConnection> OpenAsync(CancellationToken cancel)
    {
        var connection = Connect();
        try
        {
            await connection.OpenAsync(cancel).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task RecordAsync(string streamId, long nextFrame, bool ended, CancellationToken cancel = default)
    {
        CheckpointLimits.CheckEntry(streamId, nextFrame);
        await using var connection = await OpenAsync(cancel).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {Table} (scope, stream_id, next_frame, ended, saved_utc)
            VALUES (@scope, @stream_id, @next_frame, @ended, @saved_utc)
            ON CONFLICT (scope, stream_id) DO UPDATE SET
                next_frame = excluded.next_frame, ended = excluded.ended, saved_utc = excluded.saved_utc
            WHERE {Table}.next_frame <= excluded.next_frame
            """;
        Set(command, "@scope", Scope);
        Set(command, "@stream_id", streamId);
        Set(command, "@next_frame", nextFrame);
        Set(command, "@ended", ended);
        Set(command, "@saved_utc", Time(DateTimeOffset.UtcNow));
        await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string streamId, CancellationToken cancel = default)
    {
        CheckpointLimits.CheckId(streamId);
        await using var connection = await OpenAsync(cancel).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {Table} WHERE scope = @scope AND stream_id = @stream_id";
        Set(command, "@scope", Scope);
        Set(command, "@stream_id", streamId);
        await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StreamDirectoryEntry>> ListAsync(CancellationToken cancel = default)
    {
        await using var connection = await OpenAsync(cancel).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT stream_id, next_frame, ended, saved_utc FROM {Table} WHERE scope = @scope ORDER BY stream_id LIMIT @limit";
        Set(command, "@scope", Scope);
        Set(command, "@limit", CheckpointLimits.MaxStreams);
        var result = new List<StreamDirectoryEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
            result.Add(new StreamDirectoryEntry(reader.GetString(0), reader.GetInt64(1), Convert.ToBoolean(reader.GetValue(2), CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
        return result;
    }

    // Fixed-width ISO 8601 text, as the event log stores its times: it sorts in time order in every database.
    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    protected static void Set(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
