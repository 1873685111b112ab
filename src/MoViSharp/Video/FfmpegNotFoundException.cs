namespace MoViSharp.Video;

/// <summary>Raised when the ffmpeg program cannot be found; the message says where we looked and how to install it.</summary>
public sealed class FfmpegNotFoundException(string message) : Exception(message);
