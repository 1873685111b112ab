using System.Collections.Concurrent;
using System.Diagnostics;
using MoViSharp.Models;
using MoViSharp.Weights;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.ClipCnns;

/// <summary>
/// One full-size upstream check per model, shared by a test class (xunit class fixture) so each big forward runs once: the
/// manifest's state dict with the deterministic weights is loaded through the family's layout (no hints: the layout names the
/// model), run on the manifest's inputs and exported back. Only numbers are kept; the model is freed at once. (The compiled clip
/// path is checked on the tiny real files: it is a property of the blocks, not of the widths.)
/// </summary>
public abstract class ReferenceRuns
{
    public sealed record Outcome(
        string LoadedName,
        IReadOnlyList<(string Run, double Difference, double Tolerance)> Upstream,
        string? ExportMismatch,
        double Seconds);

    private readonly ConcurrentDictionary<string, Lazy<Outcome>> outcomes = new();

    protected abstract ICheckpointLayout Layout(string name);

    public Outcome Get(string name) => outcomes.GetOrAdd(name, n => new Lazy<Outcome>(() => Run(n))).Value;

    private Outcome Run(string name)
    {
        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var manifest = UpstreamReference.Manifest(name);
        var layout = Layout(name);
        using var upstream = UpstreamReference.DeterministicStateDict(manifest);
        using var model = layout.Load(upstream, $"{name} (deterministic)", new CheckpointHints());
        var results = new List<(string, double, double)>();
        using (inference_mode())
        {
            foreach (var run in manifest.GetProperty("runs").EnumerateArray())
            {
                var expected = UpstreamReference.Logits(run);
                var input = UpstreamReference.Input(run);
                var logits = model.forward(input);
                string label = $"{run.GetProperty("T").GetInt32()}x{run.GetProperty("H").GetInt32()}x{run.GetProperty("W").GetInt32()}";
                results.Add((label, UpstreamReference.MaxAbsDifference(expected, logits), UpstreamReference.Tolerance(expected)));
            }
        }
        string? mismatch = null;
        using (var exported = layout.Export(model))
        {
            int first = exported.Names.Zip(upstream.Names).TakeWhile(p => p.First == p.Second).Count();
            if (exported.Count != upstream.Count || first < upstream.Count)
                mismatch = $"{exported.Count} vs {upstream.Count} names, first difference at {first}: " +
                           $"{exported.Names.ElementAtOrDefault(first)} vs {upstream.Names.ElementAtOrDefault(first)}";
            else
                foreach (var key in upstream.Names)
                    if (!exported[key].shape.SequenceEqual(upstream[key].shape) || exported[key].dtype != upstream[key].dtype || !UpstreamReference.Same(exported[key], upstream[key]))
                    { mismatch = $"{key} differs"; break; }
        }
        return new Outcome(model.Config.Name, results, mismatch, watch.Elapsed.TotalSeconds);
    }
}
