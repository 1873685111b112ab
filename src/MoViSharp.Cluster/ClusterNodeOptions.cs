using System.Net;

namespace MoViSharp.Cluster;

/// <summary>How one process of a PostgreSQL-backed cluster runs: its database, its ports, its HTTP front end.</summary>
public sealed record ClusterNodeOptions
{
    /// <summary>Npgsql connection string: Orleans membership, stream checkpoints and the event log all live there.</summary>
    public required string ConnectionString { get; init; }
    /// <summary>Processes with the same cluster id (and database) form one cluster.</summary>
    public string ClusterId { get; init; } = "movisharp";
    /// <summary>HTTP port of this process's REST front end (0: any free one).</summary>
    public int HttpPort { get; init; } = 8080;
    /// <summary>Listen on every interface (HTTP and silo); default loopback only, for processes on one machine.</summary>
    public bool Public { get; init; }
    /// <summary>Silo-to-silo port (0: any free one, which this process then advertises in the membership table).</summary>
    public int SiloPort { get; init; }
    /// <summary>Orleans client gateway port (0: any free one).</summary>
    public int GatewayPort { get; init; }
    /// <summary>The address other silos reach this one at (default: loopback, or this machine's first IPv4 address with <see cref="Public"/>).</summary>
    public IPAddress? AdvertisedAddress { get; init; }
    public string? ApiKey { get; init; }
    /// <summary>Synthetic streams demo-1…demo-N every process ensures exist (idempotent: several processes share them).</summary>
    public int DemoStreams { get; init; }
    public int MaxStreams { get; init; } = 256;
    public StreamGrainOptions Streams { get; init; } = new();

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString)) throw new ArgumentException("The cluster needs a PostgreSQL connection string.");
        if (string.IsNullOrWhiteSpace(ClusterId) || ClusterId.Length > 100) throw new ArgumentException("The cluster id must be 1–100 characters.");
        foreach (var (name, port) in new[] { ("HTTP", HttpPort), ("silo", SiloPort), ("gateway", GatewayPort) })
            if (port is < 0 or > 65535) throw new ArgumentException($"The {name} port must be 0–65535, not {port}.");
        if (DemoStreams is < 0 or > 64) throw new ArgumentException($"Demo streams must be 0–64, not {DemoStreams}.");
        if (MaxStreams is < 1 or > CheckpointLimits.MaxStreams) throw new ArgumentException($"Max streams must be 1–{CheckpointLimits.MaxStreams}, not {MaxStreams}.");
    }
}
