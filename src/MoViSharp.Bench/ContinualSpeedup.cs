namespace MoViSharp.Bench;

/// <summary>
/// A continual model against its clip model recomputing the whole window for every prediction (the "continual speed-up"):
/// multiply-adds and compiled one-thread latency per prediction, and the state the continual model carries between frames.
/// </summary>
public sealed record ContinualSpeedup(string Model, string Base, int WindowFrames, int Size, int Delay, int ReceptiveField,
    long StepMacs, long ClipMacs, double StepMs, double ClipMs, long StateBytes, double? PublishedReduction)
{
    /// <summary>Multiply-adds per prediction of the clip model over those of the continual step.</summary>
    public double MacReduction => (double)ClipMacs / StepMacs;

    /// <summary>Measured time per prediction of the clip model over that of the continual step.</summary>
    public double TimeReduction => ClipMs / StepMs;

    /// <summary>
    /// The FLOP reductions the continual-inference model zoo publishes at a 64-frame pool (related-models.md §2.3), by model name.
    /// </summary>
    public static double? Published(string model) => model switch
    {
        "cox3d_s" => 12.1,
        "cox3d_m" => 15.1,
        "cox3d_l" => 15.3,
        "coslow" => 8.0,
        _ => null,
    };
}

/// <summary>A continual model's start-up transient under one temporal fill: relative logit distance per frame seen.</summary>
public sealed record ContinualTransientSeries(string Model, Streaming.TemporalFill Fill, int Size, int ReceptiveField, double[] Distance)
{
    /// <summary>Frames a cold start needs before its relative distance stays below <paramref name="tolerance"/> (null: never in the run).</summary>
    public int? FramesBelow(double tolerance)
    {
        int last = Array.FindLastIndex(Distance, d => d > tolerance);
        return last + 1 < Distance.Length ? last + 2 : null;
    }
}
