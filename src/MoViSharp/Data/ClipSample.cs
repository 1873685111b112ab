namespace MoViSharp.Data;

/// <summary>
/// One labelled clip of a dataset: a .npy array [T, H, W, 3] or a video file, optionally a time range of it (seconds; video only).
/// <paramref name="Origin"/> says where the entry came from ("list.csv:12") for error messages.
/// </summary>
public sealed record ClipSample(string Path, int Label, double? StartSeconds = null, double? EndSeconds = null, string? Origin = null)
{
    public bool IsNpy => Path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);
}
