using System.Diagnostics;
using MoViSharp.Classification;
using MoViSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>Runs a classifier over every batch of a loader (inference mode) and scores it; multi-view batches average their views' logits.</summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(IVideoClassifier classifier, ClipLoader loader, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var finals = new List<float[]>();
        var labels = new List<int>();
        double[]? correctAt = null;
        int positions = 0, frames = loader.Options.Sampling.Frames;
        foreach (var batch in loader.Epoch(0, cancellationToken))
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            using (batch)
            {
                var logits = classifier.ClipLogits(batch.Clips);                                           // [B·V, P, K]
                logits = logits.view(batch.Count, batch.Views, logits.shape[1], logits.shape[2]).mean([1]);   // [B, P, K]
                positions = (int)logits.shape[1];
                correctAt ??= new double[positions];
                var predictions = logits.argmax(2).to_type(ScalarType.Int64);                                  // [B, P]
                var hits = predictions.eq(batch.Labels.unsqueeze(1)).sum([0]).data<long>().ToArray();
                for (int p = 0; p < positions; p++) correctAt[p] += hits[p];
                var last = logits.select(1, -1).contiguous().data<float>().ToArray();
                int k = (int)logits.shape[2];
                for (int i = 0; i < batch.Count; i++) finals.Add(last.AsSpan(i * k, k).ToArray());
                labels.AddRange(batch.Labels.data<long>().ToArray().Select(l => (int)l));
                progress?.Invoke(labels.Count, loader.Dataset.Count);
            }
        }
        var metrics = ClassificationMetrics.From(finals, labels, classifier.NumClasses);
        var curve = positions <= 1 ? [] :
            Enumerable.Range(0, positions).Select(p => (classifier.FramesSeen(p, positions, frames), correctAt![p] / Math.Max(1, labels.Count))).ToList();
        return new EvaluationResult(metrics, curve, watch.Elapsed.TotalSeconds);
    }
}
