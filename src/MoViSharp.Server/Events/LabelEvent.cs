namespace MoViSharp.Server.Events;

/// <summary>
/// A label change of one stream: from <see cref="Previous"/> (null at the first) to <see cref="Label"/> at frame
/// <see cref="Frame"/>. (StreamId, Run, Seq) is its key: Run names one run of the stream (a new one at every add or restart),
/// Seq counts its events, so writing an event twice (a replay after a failover) stores it once.
/// </summary>
public sealed record LabelEvent(string StreamId, string Run, long Seq, long Frame, DateTimeOffset At, string Label, float Confidence, string? Previous);
