using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>
/// Predicted per-frame latency of a causal point's compiled stream step: the sum of its layers' entries in a
/// <see cref="LatencyTable"/> (stem, every bottleneck, head conv, pool, classifier), each measured with the compiled path the
/// first time it is seen, inside the network that brought it (in-context timing: alone, a layer runs with warm caches and
/// the sum under-predicts whole networks by a third on a shared machine), and cached. Layers are keyed by everything that defines them and by their input size, so the
/// table grows with the distinct layers a search visits, not with the number of networks.
/// </summary>
public sealed class LatencyCost : IArchitectureCost
{
    private readonly MoViNetSearchSpace space;
    private readonly int classes;
    private readonly string? path;

    public LatencyTable Table { get; }
    public CompileOptions CompileOptions { get; }
    public int Repeats { get; }
    public TimingClock Clock { get; }
    /// <summary>Layers measured by this instance (the rest came from the cache).</summary>
    public int Measured { get; private set; }

    public LatencyCost(MoViNetSearchSpace space, int classes, LatencyTable table, CompileOptions? options = null, string? path = null, int repeats = 15, TimingClock clock = TimingClock.Wall)
    {
        TimingClocks.Check(clock, table.Threads);
        Clock = clock;
        this.space = space;
        this.classes = classes;
        this.path = path;
        Table = table;
        CompileOptions = options ?? CompileOptions.Default;
        Repeats = repeats;
    }

    public string Name => "latency";
    public string Unit => "ms/frame";
    public bool Deterministic => false;

    /// <summary>MoViNet points only: a TVN is a clip model with no per-frame stream step to time (use macs or params for it).</summary>
    public double Of(ISearchPoint a) => Predict(a as MoViNetArchitecture ?? throw new NotSupportedException(
        $"The latency cost times MoViNet stream steps; a {a.GetType().Name} has none (use --cost macs or params).")).Sum(p => p.Ms);

    /// <summary>Each layer's key and cached (or newly measured) latency.</summary>
    public IReadOnlyList<(string Key, double Ms)> Predict(MoViNetArchitecture a)
    {
        if (!a.Causal)
            throw new NotSupportedException("The latency cost times the compiled per-frame stream step, which only causal points have; use --cost macs for non-causal spaces.");
        var config = space.ToConfig(a, classes);
        using var model = (MoViNet)ModelRegistry.Build(config);
        model.eval();
        var result = new List<(string, double)>();
        bool added = false;
        int previous = TorchSharp.torch.get_num_threads();
        try
        {
            var pieces = Pieces(model, config, a.Resolution).ToList();
            if (pieces.Any(p => !Table.Entries.ContainsKey(p.Key)) || !Table.Entries.ContainsKey(OverheadKey(a.Resolution)))
            {
                // Unknown layers are timed inside this network (its caches and memory traffic), and only they are stored.
                set_num_threads(Table.Threads);
                added = true;
                var times = LayerLatencyProbe.InContext(model, a.Resolution, pieces.Count, CompileOptions, Repeats, Clock);
                for (int i = 0; i < pieces.Count; i++)
                    if (Table.Entries.TryAdd(pieces[i].Key, times[i])) Measured++;
                Table.Entries.TryAdd(OverheadKey(a.Resolution), times[^1]);
            }
            result.AddRange(pieces.Select(p => (p.Key, Table.Entries[p.Key])));
            result.Add((OverheadKey(a.Resolution), Table.Entries[OverheadKey(a.Resolution)]));
        }
        finally
        {
            if (added) set_num_threads(previous);
        }
        if (added && path is not null) Table.Save(path);
        return result;
    }

    private static string OverheadKey(int size) => $"frame overhead @ {size}x{size}";

    /// <summary>The model's parts in stream order with their keys and per-frame input shapes.</summary>
    internal static IEnumerable<(string Key, StreamModule Module, VideoShape Input)> Pieces(MoViNet model, MoViNetConfig c, int size)
    {
        var shape = new VideoShape(3, 1, size, size);
        string knobs = $"{c.ConvType}/{c.Activation}";
        var parts = new List<(string, StreamModule)> { ($"stem out={c.StemChannels} {knobs}", model.Stem) };
        parts.AddRange(model.Layers.Select(l => ($"bottleneck {l.Options with { StochasticDepthRate = 0 }}", (StreamModule)l)));
        parts.Add(($"head out={c.HeadChannels} {knobs}", model.Head));
        parts.Add(($"pool {model.Pool.GetType().Name}", model.Pool));
        parts.Add(($"classifier hidden={c.HiddenChannels} classes={c.NumClasses} {c.ConvType}/{c.ClassifierActivation}", model.Classifier));
        foreach (var (name, module) in parts)
        {
            yield return ($"{name} @ {shape}", module, shape);
            shape = CompileContext.OutputShape(module, shape);
        }
    }
}
