using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Families.S3D;

/// <summary>
/// Passes the clip through after checking its final feature map covers the head's fixed pool window: torchvision's S3D pools a
/// fixed 2×7×7 window, so clips under about 16×224² cannot run. That is a clear error here, before anything runs, in the clip
/// call and in <see cref="Trace"/> (e.g. <c>info s3d --size 112</c>), instead of a pooling failure inside libtorch.
/// </summary>
public sealed class HeadPoolWindow((int Time, int Height, int Width) window) : StreamModule(nameof(HeadPoolWindow)), IInputCheck
{
    public (int Time, int Height, int Width) Window { get; } = window;

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        Check(input.shape[2], input.shape[3], input.shape[4]);
        return input;
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        Check(input.Frames, input.Height, input.Width);
        return input;
    }

    private void Check(long t, long h, long w)
    {
        var (mt, mh, mw) = S3DConfig.FinalMap(t, h, w);
        if (mt >= Window.Time && mh >= Window.Height && mw >= Window.Width) return;
        throw new ArgumentException($"S3D's head pools a fixed {Window.Time}×{Window.Height}×{Window.Width} window, but a {t}×{h}×{w} clip leaves a " +
                                    $"{mt}×{mh}×{mw} feature map: give at least 16 frames of 224×224 (or a config with a smaller head_pool).");
    }
}
