using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>What an online run saw: frames, the final top-k, the top-1 after every frame (−1 while nothing was emitted).</summary>
public sealed record OnlineResult(int Frames, IReadOnlyList<Prediction> Top, IReadOnlyList<int> PerFrameTop1, bool Interrupted);

/// <summary>
/// The online-classification loop every front end shares (classify, demo, the server): frames in, one step per frame through a
/// <see cref="StreamingSession"/>, an observer after each, the final top-k out. Frames are produced lazily by the caller's
/// enumerable (a decoder on its own thread, a renderer), converted and disposed here one at a time, so memory stays flat.
/// Cancellation stops after the current frame and returns what was seen, marked interrupted.
/// </summary>
public static class OnlineClassification
{
    /// <param name="frames">RGB frames [3, H, W] in [0, 1]; each is disposed after its step</param>
    /// <param name="onFrame">called after every frame with the session (e.g. a live view)</param>
    public static OnlineResult Run(StreamingSession session, IEnumerable<Tensor> frames, int topK,
        Action<StreamingSession>? onFrame = null, CancellationToken cancellationToken = default)
    {
        var perFrame = new List<int>();
        bool interrupted = false;
        try
        {
            foreach (var frame in frames)
            {
                using (frame)
                using (NewDisposeScope())
                {
                    var logits = session.Push(frame);
                    perFrame.Add(logits is null ? -1 : Softmax.ArgMax(logits));
                }
                onFrame?.Invoke(session);
                if (cancellationToken.IsCancellationRequested) { interrupted = true; break; }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        return new OnlineResult(session.FramesSeen, session.Top(topK), perFrame, interrupted);
    }
}
