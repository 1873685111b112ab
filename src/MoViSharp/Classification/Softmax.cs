namespace MoViSharp.Classification;

/// <summary>Probabilities and top-k from logits on plain arrays (no tensor round trip for a few hundred classes).</summary>
public static class Softmax
{
    public static float[] Probabilities(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        var p = new float[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += p[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < p.Length; i++) p[i] = (float)(p[i] / sum);
        return p;
    }

    public static IReadOnlyList<Prediction> TopK(ReadOnlySpan<float> logits, int k, IReadOnlyList<string>? labels = null)
    {
        var p = Probabilities(logits);
        return Enumerable.Range(0, p.Length)
            .OrderByDescending(i => p[i]).ThenBy(i => i)
            .Take(Math.Max(0, k))
            .Select(i => new Prediction(i, labels?[i], p[i]))
            .ToList();
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
