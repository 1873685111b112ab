using System.Data.Common;

namespace MoViSharp.Server.Events;

/// <summary>The one table both databases hold, and the SQL both understand.</summary>
internal static class EventSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS label_events (
            stream_id  TEXT    NOT NULL,
            run        TEXT    NOT NULL,
            seq        BIGINT  NOT NULL,
            frame      BIGINT  NOT NULL,
            at_utc     TEXT    NOT NULL,
            label      TEXT    NOT NULL,
            confidence REAL    NOT NULL,
            previous   TEXT,
            PRIMARY KEY (stream_id, run, seq)
        )
        """;

    // at_utc is ISO 8601 text with a fixed width, so it sorts in time order in both databases.
    public const string Insert = """
        INSERT INTO label_events (stream_id, run, seq, frame, at_utc, label, confidence, previous)
        VALUES (@stream_id, @run, @seq, @frame, @at_utc, @label, @confidence, @previous)
        ON CONFLICT (stream_id, run, seq) DO NOTHING
        """;

    public static string Select(bool oneStream) => $"""
        SELECT stream_id, run, seq, frame, at_utc, label, confidence, previous FROM (
            SELECT * FROM label_events {(oneStream ? "WHERE stream_id = @stream_id" : "")}
            ORDER BY at_utc DESC, seq DESC LIMIT @limit) AS latest
        ORDER BY at_utc, seq
        """;

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static void Bind(DbCommand command, LabelEvent e)
    {
        Set(command, "@stream_id", e.StreamId);
        Set(command, "@run", e.Run);
        Set(command, "@seq", e.Seq);
        Set(command, "@frame", e.Frame);
        Set(command, "@at_utc", Time(e.At));
        Set(command, "@label", e.Label);
        Set(command, "@confidence", e.Confidence);
        Set(command, "@previous", (object?)e.Previous ?? DBNull.Value);
    }

    public static void Set(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    public static LabelEvent Read(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3),
        DateTimeOffset.Parse(r.GetString(4), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal),
        r.GetString(5), Convert.ToSingle(r.GetValue(6), System.Globalization.CultureInfo.InvariantCulture), r.IsDBNull(7) ? null : r.GetString(7));
}
