namespace MoViSharp.Video;

/// <summary>A video input: a file, URL, capture device, or raw rgb24 frames on stdin or from a stream.</summary>
public sealed record VideoInput
{
    private VideoInput(VideoInputKind kind, string location, Stream? rawStream = null)
    {
        Kind = kind;
        Location = location;
        RawStream = rawStream;
    }

    public VideoInputKind Kind { get; }

    /// <summary>The path or URL as given; <c>-</c> for standard input.</summary>
    public string Location { get; }

    /// <summary>For <see cref="VideoInputKind.RawStream"/>: the stream of raw rgb24 frames.</summary>
    public Stream? RawStream { get; }

    /// <summary>True for inputs made of raw rgb24 frames, whose size and rate come from <see cref="VideoSourceOptions"/>.</summary>
    public bool IsRaw => Kind is VideoInputKind.RawStandardInput or VideoInputKind.RawStream;

    /// <summary>Classifies a command-line style input: <c>-</c>, <c>rtsp://…</c>, <c>http(s)://…</c>, <c>/dev/video*</c>, other URLs, else a file path.</summary>
    public static VideoInput Parse(string input)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        if (input == "-")
            return new(VideoInputKind.RawStandardInput, input);
        if (StartsWith(input, "rtsp://") || StartsWith(input, "rtsps://"))
            return new(VideoInputKind.Rtsp, input);
        if (StartsWith(input, "http://") || StartsWith(input, "https://"))
            return new(VideoInputKind.Http, input);
        if (input.StartsWith("/dev/video", StringComparison.Ordinal))
            return new(VideoInputKind.Device, input);
        // "C:\x" is a Windows path, not a URL with scheme "c".
        int scheme = input.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 1 && input[..scheme].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            return new(VideoInputKind.OtherUrl, input);
        return new(VideoInputKind.File, input);
    }

    /// <summary>Raw rgb24 frames read from <paramref name="stream"/> (the caller keeps ownership of it).</summary>
    public static VideoInput FromRawStream(Stream stream, string name = "raw stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new(VideoInputKind.RawStream, name, stream);
    }

    public override string ToString() => Kind == VideoInputKind.RawStandardInput ? "standard input" : Location;

    private static bool StartsWith(string input, string prefix) => input.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
}
