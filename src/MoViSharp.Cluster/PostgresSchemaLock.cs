namespace MoViSharp.Cluster;

/// <summary>The advisory lock every MoViSharp schema change on PostgreSQL takes, so that processes starting together create tables one at a time.</summary>
internal static class PostgresSchemaLock
{
    /// <summary>An arbitrary constant ("MoViSh" in ASCII); only MoViSharp uses it.</summary>
    public const long Key = 0x4D6F56695368;
}
