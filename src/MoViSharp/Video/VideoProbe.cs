using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MoViSharp.Video;

/// <summary>Reads an input's video stream properties with ffprobe, or from ffmpeg's stream listing when ffprobe is missing.</summary>
public static partial class VideoProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Probes <paramref name="input"/> (a path, URL or device; not raw stdin). Throws <see cref="VideoInputException"/> when it cannot be used.</summary>
    public static VideoStreamInfo Probe(string input, string? ffmpegPath = null) => Probe(VideoInput.Parse(input), ffmpegPath);

    /// <inheritdoc cref="Probe(string, string?)"/>
    public static VideoStreamInfo Probe(VideoInput input, string? ffmpegPath = null) => Probe(input, ffmpegPath, useFfprobe: true);

    internal static VideoStreamInfo Probe(VideoInput input, string? ffmpegPath, bool useFfprobe)
    {
        if (input.IsRaw)
            throw new ArgumentException($"Raw rgb24 input ({input}) cannot be probed; its size and rate are given in VideoSourceOptions.", nameof(input));
        if (input.Kind is VideoInputKind.File or VideoInputKind.Device && !File.Exists(input.Location))
            throw new VideoInputException($"Video input '{input}' not found.");

        string ffmpeg = FfmpegLocator.FindFfmpeg(ffmpegPath);
        string? ffprobe = useFfprobe ? FfmpegLocator.FindFfprobe(ffmpeg) : null;
        var inputArgs = FfmpegArguments.ForInput(input, new VideoSourceOptions());
        return ffprobe is not null ? WithFfprobe(ffprobe, input, inputArgs) : WithFfmpeg(ffmpeg, input, inputArgs);
    }

    private static VideoStreamInfo WithFfprobe(string ffprobe, VideoInput input, IReadOnlyList<string> inputArgs)
    {
        var (exitCode, stdout, stderr) = Run(ffprobe,
            ["-v", "error", "-select_streams", "v:0",
             "-show_entries", "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:format=duration",
             "-of", "json", .. inputArgs], input);
        if (exitCode != 0)
            throw Unreadable(input, stderr);

        using var json = JsonDocument.Parse(stdout);
        var streams = json.RootElement.TryGetProperty("streams", out var s) ? s : default;
        if (streams.ValueKind != JsonValueKind.Array || streams.GetArrayLength() == 0)
            throw NoVideo(input);
        var stream = streams[0];
        string? Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

        int width = int.TryParse(Text(stream, "width"), CultureInfo.InvariantCulture, out var w) ? w : 0;
        int height = int.TryParse(Text(stream, "height"), CultureInfo.InvariantCulture, out var h) ? h : 0;
        if (width <= 0 || height <= 0)
            throw new VideoInputException($"Video input '{input}' could not be read: its video stream has no frame size.");
        double? rate = Rate(Text(stream, "avg_frame_rate")) ?? Rate(Text(stream, "r_frame_rate"));
        long? count = long.TryParse(Text(stream, "nb_frames"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
        var format = json.RootElement.TryGetProperty("format", out var f) ? f : default;
        TimeSpan? duration = Seconds(Text(stream, "duration")) ?? Seconds(Text(format, "duration"));
        return new VideoStreamInfo(width, height, rate, count, duration, Text(stream, "codec_name"));
    }

    private static VideoStreamInfo WithFfmpeg(string ffmpeg, VideoInput input, IReadOnlyList<string> inputArgs)
    {
        // With no output, ffmpeg lists the input's streams and exits with an error; the listing is what we want.
        var (_, _, stderr) = Run(ffmpeg, ["-hide_banner", "-nostdin", .. inputArgs], input);
        return ParseStreamListing(stderr, input);
    }

    /// <summary>Parses ffmpeg's "Input #0 … Stream #0:0: Video: …" listing (the fallback when ffprobe is missing).</summary>
    internal static VideoStreamInfo ParseStreamListing(string stderr, VideoInput input)
    {
        if (!stderr.Contains("Input #0", StringComparison.Ordinal))
            throw Unreadable(input, stderr);
        var video = VideoStreamLine().Match(stderr);
        if (!video.Success)
            throw NoVideo(input);
        string line = video.Value;
        var size = FrameSize().Match(line);
        if (!size.Success)
            throw new VideoInputException($"Video input '{input}' could not be read: its video stream has no frame size.");
        double? rate = RateIn(line, "fps") ?? RateIn(line, "tbr");
        var d = DurationLine().Match(stderr);
        TimeSpan? duration = d.Success
            ? TimeSpan.FromHours(int.Parse(d.Groups[1].Value, CultureInfo.InvariantCulture))
              + TimeSpan.FromMinutes(int.Parse(d.Groups[2].Value, CultureInfo.InvariantCulture))
              + TimeSpan.FromSeconds(double.Parse(d.Groups[3].Value, CultureInfo.InvariantCulture))
            : null;
        return new VideoStreamInfo(int.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(size.Groups[2].Value, CultureInfo.InvariantCulture),
            rate, null, duration, video.Groups[1].Value);
    }

    /// <summary>The first line of ffmpeg's error output that says something (skipping the "no output file" complaint).</summary>
    internal static string FirstErrorLine(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => LogContext().Replace(l, ""))
            .FirstOrDefault(l => l.Length > 0 && !l.StartsWith("At least one output file", StringComparison.Ordinal))
        ?? "ffmpeg gave no reason";

    private static VideoInputException Unreadable(VideoInput input, string stderr) =>
        new($"Video input '{input}' could not be read: {FirstErrorLine(stderr)}");

    private static VideoInputException NoVideo(VideoInput input) => new($"Video input '{input}' has no video stream.");

    private static (int ExitCode, string Stdout, string Stderr) Run(string program, IEnumerable<string> args, VideoInput input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new VideoInputException($"Could not start {program} to probe '{input}'.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new VideoInputException($"Video input '{input}' could not be read: probing did not finish within {Timeout.TotalSeconds:0} s.");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static double? Rate(string? fraction)
    {
        if (string.IsNullOrEmpty(fraction))
            return null;
        var parts = fraction.Split('/');
        if (!double.TryParse(parts[0], CultureInfo.InvariantCulture, out var num))
            return null;
        double den = parts.Length > 1 && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) ? d : 1;
        double rate = num / den;
        return rate > 0 && double.IsFinite(rate) ? rate : null;
    }

    private static TimeSpan? Seconds(string? text) =>
        double.TryParse(text, CultureInfo.InvariantCulture, out var s) && s > 0 && double.IsFinite(s) ? TimeSpan.FromSeconds(s) : null;

    private static double? RateIn(string line, string unit)
    {
        var m = Regex.Match(line, $@"([\d.]+)(k?) {unit}\b");
        if (!m.Success || !double.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out var v))
            return null;
        return m.Groups[2].Value == "k" ? v * 1000 : v;
    }

    [GeneratedRegex(@"Stream #0:\d+[^\n]*?: Video: (\w+)[^\n]*")]
    private static partial Regex VideoStreamLine();

    // ", 640x480 [SAR" or ", 640x480," — the leading ", " skips codec tags such as "0x31637661".
    [GeneratedRegex(@", (\d+)x(\d+)(?=[ ,\[]|$)")]
    private static partial Regex FrameSize();

    // ffmpeg's "[mov,mp4,m4a @ 0x55aa82b5c4c0] " prefix names an internal object; it means nothing to a user.
    [GeneratedRegex(@"^\[[^\]]* @ 0x[0-9a-fA-F]+\] ")]
    private static partial Regex LogContext();

    [GeneratedRegex(@"Duration: (\d+):(\d+):([\d.]+)")]
    private static partial Regex DurationLine();
}
