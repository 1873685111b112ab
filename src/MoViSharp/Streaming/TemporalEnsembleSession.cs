using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Streaming;

/// <summary>
/// A temporal ensemble online: two stream models of one architecture, each at half the frame rate one frame apart
/// (frames 0, 2, 4… go to the first, 1, 3, 5… to the second); the prediction averages their latest logits before softmax.
/// Each frame runs through one model only, so it costs about one full-rate model.
/// </summary>
public sealed class TemporalEnsembleSession : IFrameClassifier
{
    private readonly StreamingSession even, odd;
    private float[]? logits;

    public IReadOnlyList<string>? Labels { get; }
    public int FramesSeen { get; private set; }

    public TemporalEnsembleSession(MoViNet evenModel, MoViNet oddModel, int? height = null, int? width = null, IReadOnlyList<string>? labels = null)
    {
        if (evenModel.Config.NumClasses != oddModel.Config.NumClasses)
            throw new ArgumentException($"Ensemble members disagree on classes: {evenModel.Config.NumClasses} vs {oddModel.Config.NumClasses}.");
        even = new StreamingSession(evenModel, height, width, labels);
        odd = new StreamingSession(oddModel, height ?? evenModel.Config.NativeSize, width ?? evenModel.Config.NativeSize, labels);
        Labels = labels;
    }

    public float[] Push(Tensor frame)
    {
        (FramesSeen % 2 == 0 ? even : odd).Push(frame);
        FramesSeen++;
        var a = even.Logits!;
        var b = odd.Logits;
        logits = b is null ? a : a.Zip(b, (x, y) => (x + y) / 2).ToArray();
        return logits.ToArray();
    }

    public IReadOnlyList<Prediction> Top(int k) => logits is null ? [] : Softmax.TopK(logits, k, Labels);

    public void Reset()
    {
        even.Reset();
        odd.Reset();
        logits = null;
        FramesSeen = 0;
    }

    public void Dispose()
    {
        even.Dispose();
        odd.Dispose();
    }
}
