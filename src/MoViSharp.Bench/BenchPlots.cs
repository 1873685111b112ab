using MoViSharp.IO;
using ScottPlot;

namespace MoViSharp.Bench;

/// <summary>PNG plots of a bench run (ScottPlot 5): per-frame latency per model and path, memory against frames.</summary>
public static class BenchPlots
{
    public static void Write(BenchResults r, string folder)
    {
        Directory.CreateDirectory(folder);
        Save(Latency(r), Path.Combine(folder, "latency.png"));
        Save(Memory(r), Path.Combine(folder, "memory.png"));
    }

    private static void Save(Plot plot, string path)
    {
        var bytes = plot.GetImageBytes(900, 500, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    private static Plot Latency(BenchResults r)
    {
        var plot = new Plot();
        var models = r.Latency.Select(l => l.Model).Distinct().ToList();
        var series = r.Latency.Select(l => (l.Path, l.Threads)).Distinct().OrderBy(s => s.Path).ThenBy(s => s.Threads).ToList();
        double width = 0.8 / Math.Max(1, series.Count);
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            var (path, threads) = series[i];
            var bars = new List<Bar>();
            for (int m = 0; m < models.Count; m++)
            {
                var l = r.At(models[m], path, threads);
                if (l is null) continue;
                bars.Add(new Bar { Position = m + (i - (series.Count - 1) / 2.0) * width, Value = l.Stats.Median, Size = width * 0.95, FillColor = palette.GetColor(i) });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = $"{path}, {threads} thread(s)";
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, models.Count).Select(m => (double)m).ToArray(),
            models.Select(m => $"{m.ToUpperInvariant()}-Stream {r.Latency.First(l => l.Model == m).Size}²").ToArray());
        plot.YLabel("median ms per frame");
        plot.Title("Per-frame latency (one stream)");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot Memory(BenchResults r)
    {
        var plot = new Plot();
        var all = r.Memory.SelectMany(m => m.Points.Keys).Distinct().Order().ToArray();
        foreach (var m in r.Memory.Where(m => m.Points.Count > 0))
        {
            var xs = m.Points.Keys.Select(f => Math.Log10(f)).ToArray();
            var ys = m.Points.Values.Select(p => p.HwmMb).ToArray();
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = $"{m.Model}: {m.Description}";
        }
        if (all.Length > 0) plot.Axes.Bottom.SetTicks(all.Select(f => Math.Log10(f)).ToArray(), all.Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("frames (log scale)");
        plot.YLabel("peak resident memory VmHWM (MB)");
        plot.Title("Memory against frames seen");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
