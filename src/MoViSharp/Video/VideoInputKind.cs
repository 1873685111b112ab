namespace MoViSharp.Video;

/// <summary>Where video frames come from; decides the ffmpeg input flags.</summary>
public enum VideoInputKind
{
    /// <summary>A local video file.</summary>
    File,
    /// <summary>An <c>rtsp://</c> (or <c>rtsps://</c>) camera or server stream.</summary>
    Rtsp,
    /// <summary>An <c>http://</c> or <c>https://</c> URL (file download, HLS, MJPEG stream).</summary>
    Http,
    /// <summary>Any other URL ffmpeg understands (<c>udp://</c>, <c>rtmp://</c>, <c>srt://</c>, ...), passed through unchanged.</summary>
    OtherUrl,
    /// <summary>A Video4Linux capture device such as <c>/dev/video0</c>.</summary>
    Device,
    /// <summary>Raw rgb24 frames on this process's standard input (<c>-</c>), inherited by ffmpeg.</summary>
    RawStandardInput,
    /// <summary>Raw rgb24 frames read from a caller-provided <see cref="System.IO.Stream"/> and written to ffmpeg's stdin.</summary>
    RawStream,
}
