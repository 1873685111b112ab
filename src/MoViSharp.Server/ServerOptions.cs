namespace MoViSharp.Server;

/// <summary>How `movisharp serve` runs: where it listens, who may change state, where the event log goes, and the limits.</summary>
public sealed record ServerOptions
{
    /// <summary>TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Listen on every interface instead of loopback only.</summary>
    public bool Public { get; init; }

    /// <summary>Required in the X-Api-Key header (or ?key= for WebSockets) by every endpoint that changes state; null leaves them open.</summary>
    public string? ApiKey { get; init; }

    /// <summary>A PKCS#12 certificate: when given, the server speaks HTTPS only.</summary>
    public string? CertificatePath { get; init; }
    public string? CertificatePassword { get; init; }

    /// <summary>The SQLite event log file (default: movisharp-events.db in the working directory).</summary>
    public string EventLogPath { get; init; } = "movisharp-events.db";

    /// <summary>When given, the event log goes to PostgreSQL instead of SQLite (same schema).</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Frames waiting per stream before the oldest is dropped.</summary>
    public int QueueCapacity { get; init; } = 8;

    /// <summary>Predictions kept per stream for /streams/{id}/predictions.</summary>
    public int History { get; init; } = 200;

    /// <summary>At most this many streams at once (more: 429).</summary>
    public int MaxStreams { get; init; } = 64;

    /// <summary>A new top-1 must hold this many consecutive predictions before it is logged as a label change.</summary>
    public int LabelHold { get; init; } = 3;

    /// <summary>Synthetic streams started with the server (the demo view).</summary>
    public int DemoStreams { get; init; }

    /// <summary>Largest request body (frames pushed over HTTP included).</summary>
    public long MaxRequestBytes { get; init; } = 4 << 20;

    /// <summary>How long adding a URL or device stream waits for its first frame before answering 422.</summary>
    public TimeSpan SourceOpenTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"Port must be 0…65535, not {Port}.");
        if (QueueCapacity < 1) throw new ArgumentException("The queue capacity must be at least 1.");
        if (History < 1) throw new ArgumentException("The history must be at least 1.");
        if (MaxStreams < 1) throw new ArgumentException("The stream limit must be at least 1.");
        if (LabelHold < 1) throw new ArgumentException("The label hold must be at least 1.");
        if (DemoStreams < 0 || DemoStreams > MaxStreams) throw new ArgumentException($"Demo streams must be 0…{MaxStreams}.");
    }
}
