using System.Globalization;

namespace MoViSharp.Video;

/// <summary>Builds ffmpeg command lines (as argument lists, never through a shell) for decoding to raw rgb24 frames.</summary>
public static class FfmpegArguments
{
    /// <summary>Input flags and the <c>-i</c> argument for <paramref name="input"/>.</summary>
    public static IReadOnlyList<string> ForInput(VideoInput input, VideoSourceOptions options)
    {
        var args = new List<string>();
        switch (input.Kind)
        {
            case VideoInputKind.File:
                // "file:" stops ffmpeg from reading a colon in the name as a protocol ("clip:1.mp4").
                if (options.StartSeconds is { } start)
                    args.AddRange(["-ss", Number(start)]);
                args.AddRange(["-i", "file:" + Path.GetFullPath(input.Location)]);
                break;
            case VideoInputKind.Rtsp:
                // TCP avoids the smeared frames that UDP packet loss causes; the timeout (µs) keeps a dead camera from hanging us.
                args.AddRange(["-rtsp_transport", "tcp", "-i", input.Location]);
                break;
            case VideoInputKind.Http:
                // Reconnect on dropped connections; give up on a server that stops answering for 15 s.
                args.AddRange(["-reconnect", "1", "-reconnect_streamed", "1", "-reconnect_delay_max", "5", "-rw_timeout", "15000000", "-i", input.Location]);
                break;
            case VideoInputKind.Device:
                args.AddRange(["-f", "v4l2", "-i", input.Location]);
                break;
            case VideoInputKind.RawStandardInput or VideoInputKind.RawStream:
                args.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-video_size", $"{options.RawWidth}x{options.RawHeight}",
                    "-framerate", Number(options.RawFrameRate), "-i", "pipe:0"]);
                break;
            default:
                args.AddRange(["-i", input.Location]);
                break;
        }
        return args;
    }

    /// <summary>The <c>-vf</c> filter chain: optional fps, optional centred crop, bilinear resize, rgb24 conversion.</summary>
    public static string VideoFilter(VideoSourceOptions options)
    {
        var filters = new List<string>();
        // fps first so that dropped frames are never cropped or scaled.
        if (options.Fps is { } fps)
            filters.Add("fps=" + Number(fps));
        if (options.CenterCrop && options.ResizeTo is { } to)
        {
            filters.Add($"scale={Number(to.Width)}:{Number(to.Height)}:flags=bilinear");
            filters.Add($"crop={Number(options.Width)}:{Number(options.Height)}:exact=1");
            filters.Add("format=rgb24");
            return string.Join(',', filters);
        }
        if (options.CenterCrop && options.ResizeShortSide is { } side)
        {
            // Short side to `side` (aspect kept, even long side), then the centred output crop, as torchvision's eval transforms.
            string s = Number(side);
            filters.Add($"scale=w='if(gt(iw,ih),-2,{s})':h='if(gt(iw,ih),{s},-2)':flags=bilinear");
            filters.Add($"crop={Number(options.Width)}:{Number(options.Height)}:exact=1");
            filters.Add("format=rgb24");
            return string.Join(',', filters);
        }
        if (options.CenterCrop)
        {
            // Largest centred region with the output aspect ratio; exact=1 keeps odd offsets centred on subsampled (yuv420) input.
            string w = Number(options.Width), h = Number(options.Height);
            filters.Add($"crop=w='min(iw,ih*{w}/{h})':h='min(ih,iw*{h}/{w})':exact=1");
        }
        filters.Add($"scale={options.Width}:{options.Height}:flags=bilinear");
        // Converting inside the chain lets the scaler resize and convert to rgb24 in one pass.
        filters.Add("format=rgb24");
        return string.Join(',', filters);
    }

    /// <summary>The whole ffmpeg argument list: quiet logging, input, filters, raw rgb24 frames on stdout.</summary>
    public static IReadOnlyList<string> ForDecoding(VideoInput input, VideoSourceOptions options)
    {
        // -nostdin: ffmpeg must not read keystrokes from a terminal or steal our stdin (a "pipe:0" input still reads it).
        var args = new List<string> { "-hide_banner", "-nostdin", "-v", "error" };
        args.AddRange(ForInput(input, options));
        args.AddRange(["-map", "0:v:0", "-an", "-sn", "-dn", "-vf", VideoFilter(options)]);
        // One output frame per decoded frame: the rawvideo muxer would otherwise duplicate/drop frames to a constant rate.
        // "-vsync" rather than "-fps_mode" because ffmpeg 4.x (Ubuntu 22.04) only knows the former; 5.x-7.x accept both.
        if (options.Fps is null)
            args.AddRange(["-vsync", "passthrough"]);
        // Input -ss resets timestamps to 0, so the end is given as a duration.
        if (options.EndSeconds is { } end)
            args.AddRange(["-t", Number(end - (options.StartSeconds ?? 0))]);
        if (options.MaxFrames is { } max)
            args.AddRange(["-frames:v", max.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        return args;
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
