using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Families.Continual;

/// <summary>
/// The start-up transient of a continual model (related-models.md §2.2): a stream that starts cold sees the temporal fill where
/// a stream already running saw real frames, so its first predictions differ. This measures how much, frame by frame: the
/// relative logit distance between the cold model and the same model that first saw <c>past</c> frames of the same video.
/// Once the cold model has seen one receptive field of frames the two agree (the fill has left every buffer).
/// </summary>
public static class ContinualTransient
{
    /// <summary>
    /// Per frame t of <paramref name="clip"/> [1, 3, T, H, W]: max |cold − warm| / max |warm| of the step logits, where the warm
    /// model first stepped through <paramref name="past"/> [1, 3, P, H, W] (the frames before the clip).
    /// </summary>
    public static double[] RelativeDistance(VideoModel model, Tensor past, Tensor clip)
    {
        if (!model.Streamable) throw new ArgumentException($"{model.Config.Id} does not stream: {model.NotStreamableReason}");
        if (past.ndim != 5 || clip.ndim != 5 || past.shape[0] != 1 || clip.shape[0] != 1)
            throw new ArgumentException($"past and clip must be [1, 3, T, H, W]; got [{string.Join(", ", past.shape)}] and [{string.Join(", ", clip.shape)}].");
        int height = (int)clip.shape[3], width = (int)clip.shape[4];
        using var mode = inference_mode();
        using var cold = model.InitialState(1, height, width);
        using var warm = model.InitialState(1, height, width);
        // One dispose scope per step: a step's activations are garbage once the state holds what the next step needs.
        for (int t = 0; t < past.shape[2]; t++)
            using (NewDisposeScope())
                model.StepLogits(past.select(2, t), warm);
        var distance = new double[clip.shape[2]];
        for (int t = 0; t < distance.Length; t++)
        {
            using var step = NewDisposeScope();
            var frame = clip.select(2, t);
            var reference = model.StepLogits(frame, warm);
            var started = model.StepLogits(frame, cold);
            distance[t] = started.sub(reference).abs().max().item<float>() / Math.Max(1e-12, reference.abs().max().item<float>());
        }
        return distance;
    }
}
