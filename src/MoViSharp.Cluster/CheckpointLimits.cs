using System.Text.RegularExpressions;

namespace MoViSharp.Cluster;

/// <summary>
/// Bounds on checkpoints and the stream directory, so that a corrupt row or a runaway caller fails with a clear message instead of
/// filling a database or allocating gigabytes on read.
/// </summary>
public static partial class CheckpointLimits
{
    /// <summary>A MoViNet A0–A5 stream state at batch 1 is well under 10 MiB; 64 MiB leaves room for larger models.</summary>
    public const int MaxBytes = 64 << 20;

    /// <summary>The most streams a listing returns (and so the most one supervisor pass resumes).</summary>
    public const int MaxStreams = 10_000;

    /// <summary>Same rule as the server's stream ids.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();

    public static void CheckId(string streamId)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        if (!IdPattern().IsMatch(streamId))
            throw new ArgumentException($"Stream id '{streamId}' is not valid for a checkpoint: use 1–64 letters, digits, '-' or '_'.", nameof(streamId));
    }

    public static void CheckEntry(string streamId, long nextFrame)
    {
        CheckId(streamId);
        if (nextFrame < 0) throw new ArgumentOutOfRangeException(nameof(nextFrame), nextFrame, "A checkpoint's next frame cannot be negative.");
    }

    public static void CheckSave(string streamId, byte[] checkpoint)
    {
        CheckId(streamId);
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Length == 0) throw new ArgumentException($"The checkpoint of stream '{streamId}' is empty.", nameof(checkpoint));
        if (checkpoint.Length > MaxBytes)
            throw new ArgumentException($"The checkpoint of stream '{streamId}' is {checkpoint.Length} bytes; the limit is {MaxBytes}.", nameof(checkpoint));
    }

    /// <summary>A stored checkpoint over the limit is refused on read too: the state was not written by this code.</summary>
    public static byte[] CheckLoaded(string streamId, byte[] checkpoint)
    {
        if (checkpoint.Length == 0 || checkpoint.Length > MaxBytes)
            throw new InvalidDataException($"The stored checkpoint of stream '{streamId}' is {checkpoint.Length} bytes; expected 1 to {MaxBytes}.");
        return checkpoint;
    }
}
