using MoViSharp.IO;
using MoViSharp.Training;
using ScottPlot;

namespace MoViSharp.Cli.Training;

/// <summary>PNG charts of training and evaluation (ScottPlot 5), written atomically.</summary>
public static class TrainingPlots
{
    /// <summary>Loss (left axis) and train/validation accuracy (right axis) per epoch.</summary>
    public static void WriteCurves(string path, IReadOnlyList<EpochMetrics> history)
    {
        var plot = new Plot();
        double[] epochs = history.Select(m => (double)m.Epoch).ToArray();
        var loss = plot.Add.Scatter(epochs, history.Select(m => m.TrainLoss).ToArray());
        loss.LegendText = "train loss";
        var trainAcc = plot.Add.Scatter(epochs, history.Select(m => m.TrainAccuracy).ToArray());
        trainAcc.LegendText = "train accuracy";
        trainAcc.Axes.YAxis = plot.Axes.Right;
        if (history.Any(m => !double.IsNaN(m.ValTop1)))
        {
            var val = plot.Add.Scatter(epochs, history.Select(m => m.ValTop1).ToArray());
            val.LegendText = "val top-1";
            val.Axes.YAxis = plot.Axes.Right;
        }
        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "accuracy";
        plot.Title("Training");
        plot.ShowLegend();
        Save(plot, path, 900, 500);
    }

    /// <summary>The confusion matrix as a heatmap (row = true class, column = predicted), row-normalised.</summary>
    public static void WriteConfusion(string path, int[,] confusion, IReadOnlyList<string> labels)
    {
        int k = confusion.GetLength(0);
        var values = new double[k, k];
        for (int r = 0; r < k; r++)
        {
            double total = 0;
            for (int c = 0; c < k; c++) total += confusion[r, c];
            for (int c = 0; c < k; c++) values[r, c] = total > 0 ? confusion[r, c] / total : 0;
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        var ticks = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        // Heatmap row 0 is drawn at the top: label rows from the top down.
        plot.Axes.Left.SetTicks(ticks, labels.Select((_, i) => labels[k - 1 - i]).ToArray());
        plot.Axes.Bottom.SetTicks(ticks, labels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.Label.Text = "predicted";
        plot.Axes.Left.Label.Text = "true";
        plot.Title("Confusion matrix (row-normalised)");
        Save(plot, path, 300 + 40 * k, 260 + 40 * k);
    }

    public static void WriteAccuracyVsFrames(string path, IReadOnlyList<(int Frames, double Accuracy)> curve)
    {
        var plot = new Plot();
        plot.Add.Scatter(curve.Select(p => (double)p.Frames).ToArray(), curve.Select(p => p.Accuracy).ToArray());
        plot.Axes.Bottom.Label.Text = "frames seen";
        plot.Axes.Left.Label.Text = "top-1 accuracy";
        plot.Title("Accuracy against frames seen");
        Save(plot, path, 800, 450);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
    }
}
