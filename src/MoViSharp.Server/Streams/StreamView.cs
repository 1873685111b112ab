namespace MoViSharp.Server.Streams;

/// <summary>A stream as the API shows it.</summary>
public sealed record StreamView(
    string Id, string Kind, string Source, string Model, double Fps, string Status, string? Error, string Run, int Restarts,
    DateTimeOffset Started, long Processed, long Dropped, int Queued, double LagSeconds, PredictionRecord? Latest, int Size)
{
    public static StreamView Of(LiveStream s) => new(
        s.Id, s.Spec.Kind.ToString().ToLowerInvariant(), s.Source.Description, s.ModelName, s.Spec.Fps, s.Status.ToString().ToLowerInvariant(),
        s.Error, s.Results.Run, s.Restarts, s.Started, s.Processed, s.Dropped, s.Queue.Count, s.LagSeconds, s.Results.Latest, s.Size);
}
