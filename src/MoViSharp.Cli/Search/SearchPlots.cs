using MoViSharp.IO;
using MoViSharp.Search;
using ScottPlot;

namespace MoViSharp.Cli.Search;

/// <summary>A labelled reference point on a search plot (e.g. a scaled published model trained with the same budget).</summary>
public sealed record PlotBaseline(string Name, double Cost, double Accuracy);

/// <summary>The Pareto plot of a search (ScottPlot 5, written atomically): every trained candidate, the front, the baselines.</summary>
public static class SearchPlots
{
    public static void WritePareto(string path, IReadOnlyList<EvaluatedArchitecture> history, string costLabel, double? limit,
        IReadOnlyList<PlotBaseline> baselines, string title)
    {
        var plot = new Plot();
        var trained = history.Where(h => h.Trained && h.DuplicateOf is null).ToList();
        if (trained.Count > 0)
        {
            var all = plot.Add.ScatterPoints(trained.Select(h => h.Cost).ToArray(), trained.Select(h => 100 * h.Accuracy).ToArray());
            all.LegendText = "evaluated";
            all.MarkerSize = 6;
            var front = ParetoFront.Of(history);
            var line = plot.Add.Scatter(front.Select(h => h.Cost).ToArray(), front.Select(h => 100 * h.Accuracy).ToArray());
            line.LegendText = "Pareto front";
            line.MarkerSize = 9;
            line.LineWidth = 2;
        }
        foreach (var b in baselines)
        {
            var p = plot.Add.ScatterPoints(new[] { b.Cost }, new[] { 100 * b.Accuracy });
            p.MarkerShape = MarkerShape.FilledDiamond;
            p.MarkerSize = 11;
            p.LegendText = b.Name;
        }
        if (limit is { } l && double.IsFinite(l))
        {
            var v = plot.Add.VerticalLine(l);
            v.LinePattern = LinePattern.Dashed;
            v.LegendText = "cost limit";
        }
        plot.Axes.Bottom.Label.Text = costLabel;
        plot.Axes.Left.Label.Text = "validation top-1 (%)";
        plot.Title(title);
        plot.ShowLegend();
        var bytes = plot.GetImageBytes(900, 600, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
    }
}
