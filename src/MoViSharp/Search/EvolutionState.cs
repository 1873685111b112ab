using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.IO;

namespace MoViSharp.Search;

/// <summary>
/// Everything an evolution needs to continue: its settings, space, cost and initial points (checked on resume), every proposal so far, the
/// population (ids, oldest first) and the proposal counter that seeds the next step. Written atomically after every proposal,
/// so a crash or Ctrl+C loses at most the candidate being trained, and the resumed run retrains it with the same seed.
/// </summary>
public sealed class EvolutionState
{
    public const int Version = 1;

    public required EvolutionSettings Settings { get; init; }
    public required ISearchSpace Space { get; init; }
    public required string CostName { get; init; }
    /// <summary>The points proposed first, before random ones (checked on resume).</summary>
    public List<ISearchPoint> Initial { get; init; } = [];
    public List<EvaluatedArchitecture> History { get; } = [];
    public List<int> Population { get; } = [];
    /// <summary>Proposals made so far; step k draws its choices from a generator seeded by (seed, k).</summary>
    public int Proposals { get; set; }
    public double ElapsedSeconds { get; set; }

    public int Evaluations => History.Count(h => h.Trained && h.DuplicateOf is null);

    public EvaluatedArchitecture? Best => History.Where(h => h.Trained).Aggregate((EvaluatedArchitecture?)null,
        (best, h) => best is null || EvaluatedArchitecture.Better(h, best) ? h : best);

    public string ToJsonText() => new JsonObject
    {
        ["version"] = Version,
        ["algorithm"] = "evolution",
        ["cost"] = CostName,
        ["settings"] = Settings.ToJson(),
        ["initial"] = new JsonArray(Initial.Select(p => (JsonNode)p.ToJson()).ToArray()),
        ["space"] = Space.ToJson(),
        ["proposals"] = Proposals,
        ["elapsed_seconds"] = Math.Round(ElapsedSeconds, 1),
        ["population"] = new JsonArray(Population.Select(p => (JsonNode)p).ToArray()),
        ["history"] = new JsonArray(History.Select(h => (JsonNode)h.ToJson()).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJsonText() + "\n");

    public static EvolutionState Load(string path)
    {
        var o = Json.Parse(File.ReadAllText(path), path);
        if (Json.Int(o, "version", path) != Version) throw new InvalidDataException($"{path}: search state version {o["version"]}, this build reads {Version}.");
        var state = new EvolutionState
        {
            Settings = EvolutionSettings.FromJson(Json.Required(o, "settings", path) as JsonObject ?? throw new InvalidDataException($"{path}: 'settings' must be an object."), $"{path}: settings"),
            Space = SearchSpaces.FromJson(Json.Required(o, "space", path) as JsonObject ?? throw new InvalidDataException($"{path}: 'space' must be an object."), $"{path}: space"),
            CostName = Json.String(o, "cost", path),
            Proposals = Json.Int(o, "proposals", path),
            ElapsedSeconds = Json.Double(o, "elapsed_seconds", path),
        };
        if (o["initial"] is JsonArray initial)      // absent in states written before initial points existed
            state.Initial.AddRange(initial.Select((p, i) => state.Space.PointFromJson(p, $"{path}: initial[{i}]")));
        state.History.AddRange(Json.Array(o, "history", path).Select((h, i) => EvaluatedArchitecture.FromJson(h, $"{path}: history[{i}]", state.Space)));
        state.Population.AddRange(Json.List<int>(o, "population", path));
        if (state.Population.Any(id => id < 0 || id >= state.History.Count))
            throw new InvalidDataException($"{path}: the population names entries that are not in the history.");
        return state;
    }
}
