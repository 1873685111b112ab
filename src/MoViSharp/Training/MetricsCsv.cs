using System.Globalization;
using System.Text;
using MoViSharp.IO;

namespace MoViSharp.Training;

/// <summary>metrics.csv: <c>epoch,lr,train_loss,train_acc,val_top1,val_top5,clips_per_s,seconds</c>, one row per epoch, written atomically.</summary>
public static class MetricsCsv
{
    public const string Header = "epoch,lr,train_loss,train_acc,val_top1,val_top5,clips_per_s,seconds";

    public static void Write(string path, IEnumerable<EpochMetrics> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var m in rows)
            text.Append(string.Join(',', new[] { m.Epoch.ToString(CultureInfo.InvariantCulture) }.Concat(
                new[] { m.LearningRate, m.TrainLoss, m.TrainAccuracy, m.ValTop1, m.ValTop5, m.ClipsPerSecond, m.Seconds }
                    .Select(v => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture))))).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    public static List<EpochMetrics> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header) throw new InvalidDataException($"{path}:1: expected the header '{Header}'.");
        var rows = new List<EpochMetrics>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != 8) throw new InvalidDataException($"{path}:{i + 1}: expected 8 fields, got {f.Length}.");
            double D(int k) => f[k].Length == 0 ? double.NaN : double.TryParse(f[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new InvalidDataException($"{path}:{i + 1}: field {k + 1} '{f[k]}' is not a number.");
            rows.Add(new EpochMetrics((int)D(0), D(1), D(2), D(3), D(4), D(5), D(6), D(7)));
        }
        return rows;
    }
}
