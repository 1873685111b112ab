namespace MoViSharp.Server.Streams;

/// <summary>One class of a prediction.</summary>
public sealed record ClassScore(int Index, string Label, float Probability);

/// <summary>The top classes after frame <see cref="Frame"/> of a stream, when, and how long the frame waited from arrival to result.</summary>
public sealed record PredictionRecord(long Frame, DateTimeOffset At, IReadOnlyList<ClassScore> Top, double LatencyMs, string? TrueLabel);
