namespace MoViSharp.Server.Streams;

/// <summary>
/// Feeds one stream's <see cref="FrameQueue"/>. <see cref="RunAsync"/> returns when the input ends and throws when it fails
/// (the stream is then marked failed and can be restarted); cancellation stops it.
/// </summary>
public interface IStreamSource
{
    /// <summary>For listings: what it reads.</summary>
    string Description { get; }

    Task RunAsync(Action<QueuedFrame> emit, CancellationToken cancel);
}
