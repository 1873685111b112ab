namespace MoViSharp.Video;

/// <summary>What a probe learned about an input's first video stream; values ffmpeg does not know are null.</summary>
/// <param name="FrameRate">Average frames per second (falls back to the nominal rate when the average is unknown).</param>
/// <param name="FrameCount">Frames in the stream when the container records it (often unknown for streams and some formats).</param>
public sealed record VideoStreamInfo(int Width, int Height, double? FrameRate, long? FrameCount, TimeSpan? Duration, string? Codec);
