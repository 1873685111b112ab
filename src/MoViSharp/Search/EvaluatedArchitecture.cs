using System.Text.Json.Nodes;

namespace MoViSharp.Search;

/// <summary>
/// One proposal of a search: the point, where it came from (<see cref="Parent"/> and the <see cref="Change"/> that made it,
/// or "random"), its cost, and — when it met the cost limit and was trained — its validation accuracy. Proposals over the
/// limit are recorded untrained (<see cref="Feasible"/> false, accuracy NaN). <see cref="DuplicateOf"/>: a point seen before
/// reuses that evaluation instead of training again.
/// </summary>
public sealed record EvaluatedArchitecture(
    int Id, int? Parent, string Change, ISearchPoint Architecture, double Cost, bool Feasible, double Accuracy,
    double TrainSeconds, int? DuplicateOf = null)
{
    public bool Trained => Feasible && !double.IsNaN(Accuracy);

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["parent"] = Parent,
        ["change"] = Change,
        ["cost"] = Cost,
        ["feasible"] = Feasible,
        ["accuracy"] = double.IsNaN(Accuracy) ? null : Accuracy,
        ["train_seconds"] = Math.Round(TrainSeconds, 3),
        ["duplicate_of"] = DuplicateOf,
        ["architecture"] = Architecture.ToJson(),
    };

    /// <summary>An entry of a log or state; its point is read as a point of <paramref name="space"/> (default: a MoViNet point).</summary>
    public static EvaluatedArchitecture FromJson(JsonNode? node, string source, ISearchSpace? space = null)
    {
        var o = node as JsonObject ?? throw new InvalidDataException($"{source}: a history entry must be an object.");
        return new EvaluatedArchitecture(Json.Int(o, "id", source), o["parent"]?.GetValue<int>(), Json.String(o, "change", source),
            space is null ? MoViNetArchitecture.FromJson(o["architecture"], $"{source}: architecture") : space.PointFromJson(o["architecture"], $"{source}: architecture"), Json.Double(o, "cost", source), Json.Bool(o, "feasible", source),
            o["accuracy"]?.GetValue<double>() ?? double.NaN, Json.Double(o, "train_seconds", source), o["duplicate_of"]?.GetValue<int>());
    }

    /// <summary>Better of two trained entries: higher accuracy, then lower cost, then the earlier one (a total order, so runs agree).</summary>
    public static bool Better(EvaluatedArchitecture a, EvaluatedArchitecture b) =>
        a.Accuracy != b.Accuracy ? a.Accuracy > b.Accuracy : a.Cost != b.Cost ? a.Cost < b.Cost : a.Id < b.Id;
}
