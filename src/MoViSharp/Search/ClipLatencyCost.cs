using MoViSharp.Inference;
using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>
/// Measured latency per frame of clip models (TVN points): each new point is built, compiled (as `classify` runs it) and its
/// clip timed as a whole (<see cref="NetworkLatency.MeasureClip"/>), then remembered for the life of this instance. There is no
/// per-layer table as for MoViNet streams (<see cref="LatencyCost"/>): a clip model has no per-frame step to split into layers,
/// and TVN blocks depend on the frames reaching them. Not deterministic: a resumed search re-times the points it meets again.
/// </summary>
public sealed class ClipLatencyCost : IArchitectureCost
{
    private readonly ISearchSpace space;
    private readonly int classes;
    private readonly Dictionary<string, double> measured = [];

    public int Threads { get; }
    public CompileOptions CompileOptions { get; }
    public int Repeats { get; }
    public TimingClock Clock { get; }

    public ClipLatencyCost(ISearchSpace space, int classes, int threads, CompileOptions? options = null, int repeats = 5, TimingClock clock = TimingClock.Wall)
    {
        TimingClocks.Check(clock, threads);
        if (repeats < 1) throw new ArgumentException($"Repeats must be positive, got {repeats}.");
        (this.space, this.classes, Threads, CompileOptions, Repeats, Clock) = (space, classes, threads, options ?? CompileOptions.Default, repeats, clock);
    }

    public string Name => "latency";
    public string Unit => "ms/frame";
    public bool Deterministic => false;

    /// <summary>Points measured so far by this instance.</summary>
    public int Measured => measured.Count;

    public double Of(ISearchPoint a)
    {
        string key = a.ToJson().ToJsonString();
        if (measured.TryGetValue(key, out double ms)) return ms;
        using var model = ModelRegistry.Build(space.ToConfig(a, classes));
        ms = NetworkLatency.MeasureClip(model, a.Frames, a.Resolution, Threads, CompileOptions, Repeats, Clock);
        measured[key] = ms;
        return ms;
    }
}
