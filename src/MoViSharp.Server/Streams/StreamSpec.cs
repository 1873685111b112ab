using System.Text.RegularExpressions;

namespace MoViSharp.Server.Streams;

/// <summary>What kind of input feeds a stream.</summary>
public enum SourceKind
{
    /// <summary>Clips of the synthetic benchmark rendered in-process, one after another (a simulated camera).</summary>
    Synthetic,
    /// <summary>A video file decoded by ffmpeg, played at the stream's frame rate (optionally looping).</summary>
    File,
    /// <summary>An RTSP/HTTP URL or a /dev/video* device decoded by ffmpeg as it arrives.</summary>
    Url,
    /// <summary>Raw rgb24 frames pushed by a client (WebSocket or HTTP), e.g. a browser camera.</summary>
    Push,
}

/// <summary>A request to add a stream (the JSON body of POST /streams).</summary>
public sealed partial record StreamSpec
{
    /// <summary>The stream's name in URLs (letters, digits, '-', '_'; at most 64); null: generated.</summary>
    public string? Id { get; init; }
    public SourceKind Kind { get; init; } = SourceKind.Synthetic;
    /// <summary>File path, URL or device (File, Url); ignored for Synthetic and Push.</summary>
    public string? Source { get; init; }
    /// <summary>Files: start again at the end (each pass is a new video: the stream state restarts).</summary>
    public bool Loop { get; init; }
    /// <summary>Frames per second the stream is classified at (default 15).</summary>
    public double Fps { get; init; } = 15;
    /// <summary>A model of the server's catalog (default: its first).</summary>
    public string? Model { get; init; }
    /// <summary>Synthetic: the seed of the rendered clips (default: from the id).</summary>
    public long? Seed { get; init; }

    public const double MaxFps = 120;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();

    /// <summary>Throws <see cref="BadRequestException"/> naming the first thing wrong.</summary>
    public void Validate()
    {
        if (Id is not null && !IdPattern().IsMatch(Id))
            throw new BadRequestException($"Stream id '{Id}' is not valid: use 1–64 letters, digits, '-' or '_'.");
        if (!double.IsFinite(Fps) || Fps <= 0 || Fps > MaxFps)
            throw new BadRequestException($"fps must be in (0, {MaxFps}], not {Fps}.");
        if (Kind is SourceKind.File or SourceKind.Url && string.IsNullOrWhiteSpace(Source))
            throw new BadRequestException($"A {Kind.ToString().ToLowerInvariant()} stream needs a source.");
        if (Kind == SourceKind.Url && Source is { } s && !s.StartsWith("/dev/video", StringComparison.Ordinal) && !Uri.TryCreate(s, UriKind.Absolute, out _))
            throw new BadRequestException($"'{s}' is neither a URL nor a /dev/video* device.");
    }
}
