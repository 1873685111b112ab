using MoViSharp.Models;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>
/// The training loss of a batch of clips, with its backward pass.
/// <list type="bullet">
/// <item>Whole clip (base and causal models): the loss of the clip's final logits (for causal models, those after the last
/// frame, as the official stream recipe trains).</item>
/// <item>Stream-buffer training (causal models): sub-clips of N frames in order, the <see cref="StreamState"/> carried forward and
/// detached between them (no back-propagation into earlier sub-clips); each sub-clip's final-logit loss, divided by the number of
/// sub-clips, is back-propagated at once, so memory is that of one sub-clip. The caller takes one optimizer step per batch.</item>
/// </list>
/// </summary>
public static class ClipObjective
{
    /// <summary>Runs forward and backward; returns the loss value and the final logits [B, K] (detached).</summary>
    public static (double Loss, Tensor FinalLogits) Backward(VideoModel model, Tensor clips, Tensor labels, double smoothing, int? streamBufferFrames)
    {
        if (streamBufferFrames is int n && n < clips.shape[2])
            return StreamBuffer(model, clips, labels, smoothing, n, backward: true);
        var logits = model.forward(clips);
        var loss = SmoothedCrossEntropy.Loss(logits, labels, smoothing);
        loss.backward();
        return (loss.item<float>(), logits.detach());
    }

    /// <summary>
    /// Stream-buffer pass: the mean over sub-clips of the loss at each sub-clip's last frame, and the final logits.
    /// With <paramref name="backward"/>, gradients are accumulated sub-clip by sub-clip.
    /// </summary>
    public static (double Loss, Tensor FinalLogits) StreamBuffer(VideoModel model, Tensor clips, Tensor labels, double smoothing, int subClipFrames, bool backward)
    {
        if (!model.Streamable || model.Temporal.Delay != 0)
            throw new InvalidOperationException($"{model.Config.Id} is not causal; stream-buffer training needs a stream model.");
        if (subClipFrames < 1) throw new ArgumentOutOfRangeException(nameof(subClipFrames), "Sub-clips need at least one frame.");
        long frames = clips.shape[2];
        int count = (int)((frames + subClipFrames - 1) / subClipFrames);
        using var state = new StreamState((int)clips.shape[0]);      // absent entries are zeros: the causal start of a clip
        double total = 0;
        Tensor? final = null;
        using var perSubClip = ((long)count).ToScalar();                // explicit: an implicit scalar can be finalised mid-call
        for (int k = 0; k < count; k++)
        {
            long start = (long)k * subClipFrames, length = Math.Min(subClipFrames, frames - start);
            using var scope = NewDisposeScope();
            var logits = model.Logits(clips.narrow(2, start, length), state).select(1, -1);
            var loss = SmoothedCrossEntropy.Loss(logits, labels, smoothing).div(perSubClip);
            if (backward) loss.backward();
            total += loss.item<float>();
            state.DetachGradients();
            final?.Dispose();
            final = logits.detach().MoveToOuterDisposeScope();
        }
        return (total, final!);
    }
}
