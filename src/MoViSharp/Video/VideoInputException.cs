namespace MoViSharp.Video;

/// <summary>
/// Raised when a video input cannot be used: it does not exist, ffmpeg cannot read it, it has no video stream,
/// or ffmpeg fails while decoding it. The message names the input and the problem.
/// </summary>
public sealed class VideoInputException(string message, Exception? inner = null) : Exception(message, inner);
