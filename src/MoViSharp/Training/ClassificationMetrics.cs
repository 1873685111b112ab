namespace MoViSharp.Training;

/// <summary>
/// Accuracy of class scores against labels: top-1, top-5, per-class recall (NaN for classes without clips) and the confusion matrix
/// (row = true class, column = predicted class). Ties go to the lower class index, as <see cref="Classification.Softmax.ArgMax"/>.
/// </summary>
public sealed record ClassificationMetrics(int Clips, double Top1, double Top5, double[] PerClass, int[,] Confusion)
{
    public static ClassificationMetrics From(IReadOnlyList<float[]> scores, IReadOnlyList<int> labels, int classes)
    {
        if (scores.Count != labels.Count) throw new ArgumentException($"{scores.Count} score rows for {labels.Count} labels.");
        var confusion = new int[classes, classes];
        int top1 = 0, top5 = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            if (s.Length != classes) throw new ArgumentException($"Row {i} has {s.Length} scores, expected {classes}.");
            int label = labels[i], predicted = Classification.Softmax.ArgMax(s);
            confusion[label, predicted]++;
            if (predicted == label) top1++;
            // Rank = classes scoring strictly higher, plus equal ones with a lower index (the same tie rule as ArgMax).
            int rank = 0;
            for (int k = 0; k < classes; k++)
                if (s[k] > s[label] || (s[k] == s[label] && k < label)) rank++;
            if (rank < 5) top5++;
        }
        var perClass = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            int total = 0;
            for (int p = 0; p < classes; p++) total += confusion[c, p];
            perClass[c] = total == 0 ? double.NaN : (double)confusion[c, c] / total;
        }
        int n = Math.Max(1, scores.Count);
        return new ClassificationMetrics(scores.Count, (double)top1 / n, (double)top5 / n, perClass, confusion);
    }
}
