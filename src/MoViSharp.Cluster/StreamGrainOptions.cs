namespace MoViSharp.Cluster;

/// <summary>How stream grains run: the checkpoint interval bounds the work redone (and, for live sources, the frames lost) after a silo dies.</summary>
public sealed record StreamGrainOptions
{
    /// <summary>Frames between checkpoints (at 15 fps, 15 = one second).</summary>
    public int CheckpointEvery { get; init; } = 15;
    public int History { get; init; } = 50;
    public int LabelHold { get; init; } = 3;

    /// <summary>
    /// How often each silo's <see cref="StreamSupervisor"/> pings the running streams: after a silo is declared dead its streams
    /// resume within one period (plus Orleans' failure detection, about 10–30 s with its default membership settings).
    /// </summary>
    public TimeSpan SuperviseEvery { get; init; } = TimeSpan.FromSeconds(2);
}
