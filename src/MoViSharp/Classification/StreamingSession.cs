using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>
/// Online recognition of one video with any <see cref="IVideoClassifier"/>: push frames as they arrive, read the running top-k at
/// any time. A clip model is classified over a sliding window (<see cref="SlidingClipClassifier"/>, a prediction every hop
/// frames); a stream model after every frame. Memory stays constant however many frames are pushed: each step runs in its own
/// dispose scope and only the classifier's state survives.
/// </summary>
public sealed class StreamingSession : IDisposable
{
    private readonly IVideoClassifier classifier;
    private IClassifierState state;
    private float[]? logits;

    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string>? Labels => classifier.Labels;
    public int FramesSeen { get; private set; }
    /// <summary>The logits after the last frame that produced any (a copy), or null before.</summary>
    public float[]? Logits => logits?.ToArray();
    /// <summary>True once the classifier's delay is filled; from then on every step that emits is a prediction for a frame of this video.</summary>
    public bool Settled => FramesSeen > classifier.Delay;

    /// <param name="hop">for clip models: frames between predictions (default: one clip's span)</param>
    public StreamingSession(IVideoClassifier classifier, int? height = null, int? width = null, int? hop = null)
    {
        this.classifier = classifier.NotStreamableReason is null ? classifier : new SlidingClipClassifier(classifier, hop);
        Height = height ?? classifier.Preprocessing.Size;
        Width = width ?? classifier.Preprocessing.Size;
        state = this.classifier.InitialState(1, Height, Width);
    }

    /// <summary>Forgets everything seen so far (a new video).</summary>
    public void Reset()
    {
        state.Dispose();
        state = this.classifier.InitialState(1, Height, Width);
        logits = null;
        FramesSeen = 0;
    }

    /// <summary>
    /// Feeds one RGB frame [3, H, W] (or [1, 3, H, W]) in [0, 1]; returns the logits after it, or null while nothing is emitted:
    /// between a clip model's windows, and for the first <see cref="IVideoClassifier.Delay"/> frames of a model that answers
    /// late (CoX3D: 28 frames), whose outputs then stand for frames before the video.
    /// </summary>
    public float[]? Push(Tensor frame)
    {
        using var scope = NewDisposeScope();
        var x = frame.dim() == 3 ? frame.unsqueeze(0) : frame;
        if (x.dim() != 4 || x.shape[0] != 1 || x.shape[1] != 3 || x.shape[2] != Height || x.shape[3] != Width)
            throw new ArgumentException($"Expected a frame [3, {Height}, {Width}], got [{string.Join(", ", frame.shape)}].");
        var output = classifier.Step(x.to_type(ScalarType.Float32), state);
        FramesSeen++;
        // Before the delay is filled a step answers for frames before the video (the fill): no prediction of this video yet.
        if (output is null || !Settled) return null;
        logits = output.squeeze(0).data<float>().ToArray();
        return logits.ToArray();
    }

    /// <summary>The k most probable classes after the last frame (softmax over the logits).</summary>
    public IReadOnlyList<Prediction> Top(int k) => logits is null ? [] : Softmax.TopK(logits, k, Labels);

    /// <summary>Disposes the session's state (the classifier stays the caller's).</summary>
    public void Dispose() => state.Dispose();
}
