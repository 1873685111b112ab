using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.IO;

namespace MoViSharp.Search;

/// <summary>A search's log: one CSV row and one JSON object per proposal (id, parent, change, cost, feasibility, accuracy, point).</summary>
public static class SearchLog
{
    public static void WriteCsv(string path, IEnumerable<EvaluatedArchitecture> history, string costUnit)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"id,parent,change,cost_{Slug(costUnit)},feasible,accuracy,train_seconds,duplicate_of,pareto,architecture");
        var front = ParetoFront.Of(history).Select(h => h.Id).ToHashSet();
        foreach (var h in history)
            sb.AppendLine(string.Join(',',
                h.Id.ToString(CultureInfo.InvariantCulture), h.Parent?.ToString(CultureInfo.InvariantCulture) ?? "", Quote(h.Change),
                h.Cost.ToString("G6", CultureInfo.InvariantCulture), h.Feasible ? "1" : "0",
                double.IsNaN(h.Accuracy) ? "" : h.Accuracy.ToString("F4", CultureInfo.InvariantCulture),
                h.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture), h.DuplicateOf?.ToString(CultureInfo.InvariantCulture) ?? "",
                front.Contains(h.Id) ? "1" : "0", Quote($"{h.Architecture}")));
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    public static void WriteJson(string path, IEnumerable<EvaluatedArchitecture> history, JsonObject header)
    {
        var list = history.ToList();
        var o = new JsonObject();
        foreach (var (k, v) in header) o[k] = v?.DeepClone();
        o["pareto"] = new JsonArray(ParetoFront.Of(list).Select(h => (JsonNode)h.Id).ToArray());
        o["history"] = new JsonArray(list.Select(h => (JsonNode)h.ToJson()).ToArray());
        AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string Slug(string unit) => new(unit.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray());

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : $"\"{s.Replace("\"", "\"\"")}\"";
}
