namespace MoViSharp.Server.Streams;

/// <summary>
/// One frame waiting to be classified: rgb24 bytes (H×W×3) at the model's size, when it arrived (for latency and lag), and
/// whether it starts a new video (the stream state restarts there: a new synthetic clip, a new pass of a looping file).
/// </summary>
public sealed record QueuedFrame(byte[] Rgb, long Index, long ArrivedTicks, bool StartsVideo, int? TrueClass = null);
