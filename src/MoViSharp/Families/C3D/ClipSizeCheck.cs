using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Families.C3D;

/// <summary>
/// Passes the clip through after checking it leaves the pool5 map fc6 was built for: C3D's fc6 reads pool5 flattened (the
/// conversion's fixed view(−1, 8192)), so another clip size would be read as another batch there, and a much smaller one fails
/// inside the pools. Both are a clear error here, before anything runs, in the clip call and in <see cref="Trace"/> (e.g.
/// <c>info c3d --frames 8</c>).
/// </summary>
public sealed class ClipSizeCheck((int Time, int Height, int Width) map, (int Frames, int Size) native) : StreamModule(nameof(ClipSizeCheck)), IInputCheck
{
    /// <summary>The pool5 map fc6 takes.</summary>
    public (int Time, int Height, int Width) Map { get; } = map;

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
        if (C3DConfig.MapFor(t, h, w) == Map) return;
        throw new ArgumentException($"C3D's fc6 reads a {Map.Time}×{Map.Height}×{Map.Width} pool5 map (a {native.Frames}×{native.Size}² clip), " +
                                    $"but a {t}×{h}×{w} clip does not give one: give {native.Frames} frames of {native.Size}×{native.Size}.");
    }
}
