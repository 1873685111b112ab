using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Families.Continual;

/// <summary>
/// Turns a clip model built from the shared blocks into its continual form in place, weights unchanged (Co3D's recipe): the
/// global average pool (or a pool whose temporal kernel spans the whole clip) becomes a sliding-window average
/// (<see cref="WindowAveragePool"/>), squeeze-excitation over the clip becomes per-frame, and every temporal buffer starts from the
/// chosen fill. A global pool after that window (the output pool of X3D's and PyTorchVideo ResNets' heads, behind their fixed
/// clip pool) is left with one frame's map per step, so it becomes a per-frame spatial mean. Temporal convolutions need nothing: a non-causal kernel k with padding p already steps with delay k−1−p, and
/// residuals align their branches' delays. After the conversion the model streams (one output per frame once the delay is
/// filled) and its clip call is the continual model's training form.
/// </summary>
public static class ContinualConversion
{
    public static void Convert(VideoModel model, int? poolWindow, TemporalFill fill)
    {
        int clipFrames = model.Config.Preprocessing.Frames;
        int window = poolWindow ?? clipFrames;
        Rewrite(model, window, clipFrames, fill, new Progress());
        if (model.NotStreamableReason is { } reason)
            throw new NotSupportedException($"{model.Config.Id} does not become continual: {reason}");
    }

    /// <summary>Whether the walk (in execution order) has already made a clip pool the window.</summary>
    private sealed class Progress { public bool Windowed; }

    private static void Rewrite(StreamModule module, int window, int clipFrames, TemporalFill fill, Progress progress)
    {
        if (module is Sequential sequential)
            foreach (var (name, child) in sequential.Items.ToList())
            {
                if (child is GlobalAveragePool && progress.Windowed) sequential.Replace(name, new SpatialAveragePool());
                else if (child is GlobalAveragePool || child is AveragePool { Kernel.Time: var kt, Padding.Time: 0 } && kt == clipFrames && kt > 1)
                {
                    sequential.Replace(name, new WindowAveragePool(window, fill));
                    progress.Windowed = true;
                }
            }
        if (module is SqueezeExcitation { Type: SqueezeExcitationType.ThreeD, Causal: false } se) se.UseFrameScope();
        if (fill != TemporalFill.Zeros)
        {
            if (module is StreamBuffer { Fill: TemporalFill.Zeros } buffer) buffer.Fill = fill;
            if (module is Delay delay) delay.Fill = fill;
        }
        foreach (var (_, child) in module.StreamChildren.ToList()) Rewrite(child, window, clipFrames, fill, progress);
    }
}
