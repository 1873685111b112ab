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
        if (r.Transients.Count > 0) Save(Transient(r), Path.Combine(folder, "continual-transient.png"));
        if (r.Comparison.Any(c => c.Top1 is not null)) Save(AccuracyAgainstLatency(r), Path.Combine(folder, "accuracy-latency.png"));
    }

    /// <summary>The chart a user reads to pick a model: published top-1 against the clip latency measured on this machine.</summary>
    private static Plot AccuracyAgainstLatency(BenchResults r)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var families = r.Comparison.Select(c => c.Family).Distinct().ToList();
        for (int f = 0; f < families.Count; f++)
        {
            var rows = r.Comparison.Where(c => c.Family == families[f] && c.Top1 is not null).ToList();
            if (rows.Count == 0) continue;
            var scatter = plot.Add.ScatterPoints(rows.Select(c => Math.Log10(c.MsPerClip)).ToArray(), rows.Select(c => c.Top1!.Value).ToArray());
            scatter.Color = palette.GetColor(f);
            scatter.MarkerSize = 9;
            scatter.LegendText = $"{families[f]} ({string.Join("/", rows.Select(c => c.LabelSet).Distinct())})";
            foreach (var c in rows)
            {
                var text = plot.Add.Text(c.Model, Math.Log10(c.MsPerClip), c.Top1!.Value);
                text.LabelFontSize = 10;
                text.LabelOffsetX = 5;
            }
        }
        var ticks = new[] { 1.0, 10, 100, 1000, 10000, 100000 };
        plot.Axes.Bottom.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("ms per clip on this machine, compiled, one thread (log scale)");
        plot.YLabel("published top-1 (%)");
        plot.Title("Published accuracy against measured latency");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>How long a cold continual stream takes to forget its fill: relative logit distance against frames seen (log scale).</summary>
    private static Plot Transient(BenchResults r)
    {
        var plot = new Plot();
        foreach (var t in r.Transients)
        {
            var xs = Enumerable.Range(1, t.Distance.Length).Select(x => (double)x).ToArray();
            var ys = t.Distance.Select(d => Math.Log10(Math.Max(d, 1e-8))).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.MarkerSize = 0;
            line.LegendText = $"{t.Model}, {t.Fill.ToString().ToLowerInvariant()} fill (receptive field {t.ReceptiveField})";
        }
        var ticks = new[] { -8.0, -6, -4, -2, 0 };
        plot.Axes.Left.SetTicks(ticks, ticks.Select(v => $"1e{v:F0}").ToArray());
        plot.XLabel("frames seen since a cold start");
        plot.YLabel("relative logit distance to a warm stream (log)");
        plot.Title("Continual start-up transient");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
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
