namespace MoViSharp.Data.Synthetic;

/// <summary>
/// Renders clips of the synthetic temporal-action benchmark with plain C#.
/// <para>Deterministic: a clip depends only on (seed, class, index, frames, size). Its random stream is seeded from a
/// stable hash of (seed, scene class, index), and each frame's noise from a hash of that and the frame number, so
/// clips come out bit-identical whatever the thread, order or process that renders them. A backwards class uses its
/// forward partner's scene and renders its frames in reverse order: clip i of move_left is exactly clip i of
/// move_right played backwards.</para>
/// <para>The scene does not depend on frames or size, so the same (seed, class, index) at another resolution or
/// length shows the same content.</para>
/// </summary>
public static class SyntheticClipRenderer
{
    public const int DefaultFrames = 16;
    public const int DefaultSize = 64;

    // Distinguishes the per-frame noise stream from the scene stream.
    private const ulong FrameStream = 0x46524D4E4F495345UL;

    /// <summary>Renders clip <paramref name="index"/> of class <paramref name="classIndex"/> as [frames, size, size, 3].</summary>
    public static SyntheticClip Render(int classIndex, long seed, int index, int frames = DefaultFrames, int size = DefaultSize)
    {
        var actionClass = SyntheticActionClasses.Get(classIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ValidateSize(frames, size);

        var (scene, key) = SampleScene(actionClass, seed, index, frames);
        var background = scene.Background.Render(size);

        var clip = new SyntheticClip(new float[frames * size * size * 3], frames, size, size);
        for (int f = 0; f < frames; f++)
        {
            int source = actionClass.PlayedBackwards ? frames - 1 - f : f;
            RenderFrame(scene, background, key, source, frames, size, clip.Data.AsSpan(f * clip.FrameLength, clip.FrameLength));
        }
        return clip;
    }

    /// <summary>
    /// The scene (all random choices) behind clip <paramref name="index"/> of <paramref name="classIndex"/>, in forward time;
    /// useful to inspect what a clip shows without looking at pixels.
    /// </summary>
    public static SyntheticScene SampleScene(int classIndex, long seed, int index, int frames = DefaultFrames) =>
        SampleScene(SyntheticActionClasses.Get(classIndex), seed, index, frames).Scene;

    private static (SyntheticScene Scene, ulong Key) SampleScene(SyntheticActionClass actionClass, long seed, int index, int frames)
    {
        ulong key = SplitMix64.Hash((ulong)seed, (ulong)actionClass.SceneIndex, (ulong)index);
        var random = new SplitMix64(key);
        return (SyntheticScene.Sample(ref random, actionClass.Motion, frames), key);
    }

    /// <summary>Throws unless a clip of <paramref name="frames"/> frames of <paramref name="size"/>² pixels can be rendered.</summary>
    public static void ValidateSize(int frames, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)frames * size * size * 3, Array.MaxLength, nameof(frames));
    }

    /// <summary>Renders forward frame <paramref name="frame"/> of <paramref name="scene"/> into <paramref name="target"/>.</summary>
    private static void RenderFrame(SyntheticScene scene, float[] background, ulong key, int frame, int frames, int size, Span<float> target)
    {
        double t = (double)frame / (frames - 1);
        var pixels = new double[background.Length];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = background[i];

        if (scene.Distractor is { } blob)
            DrawBlob(pixels, size, blob, t);
        DrawObject(pixels, size, scene, scene.Trajectory.At(t, frame));

        // Per-frame brightness jitter and pixel noise (triangular, zero mean), from the frame's own stream.
        var random = new SplitMix64(SplitMix64.Hash(key, (ulong)frame, FrameStream));
        double gain = 1 + scene.BrightnessJitter * (2 * random.NextDouble() - 1);
        for (int i = 0; i < pixels.Length; i++)
        {
            double noise = scene.NoiseAmplitude * (random.NextDouble() + random.NextDouble() - 1);
            target[i] = (float)Math.Clamp(pixels[i] * gain + noise, 0, 1);
        }
    }

    private static void DrawBlob(double[] pixels, int size, SyntheticDistractor blob, double t)
    {
        var (bx, by) = blob.At(t);
        double cx = bx * size, cy = by * size, sigma = blob.Sigma * size, reach = 3 * sigma;
        ForEachPixel(size, cx, cy, reach, (x, y, at) =>
        {
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            double alpha = blob.Strength * Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            Blend(pixels, at, blob.Colour, alpha);
        });
    }

    private static void DrawObject(double[] pixels, int size, SyntheticScene scene, ObjectPose pose)
    {
        if (pose.Opacity <= 0)
            return;
        double cx = pose.X * size, cy = pose.Y * size, radius = scene.Radius * pose.Scale * size;
        double cos = Math.Cos(pose.Angle), sin = Math.Sin(pose.Angle);
        ForEachPixel(size, cx, cy, 1.25 * radius + 1, (x, y, at) =>
        {
            double coverage = ShapeCoverage.Of(scene.Shape, x + 0.5 - cx, y + 0.5 - cy, radius, cos, sin);
            if (coverage > 0)
                Blend(pixels, at, scene.ObjectColour, coverage * pose.Opacity);
        });
    }

    /// <summary>Visits the pixels within <paramref name="reach"/> (a square) of a centre, clipped to the frame.</summary>
    private static void ForEachPixel(int size, double cx, double cy, double reach, Action<int, int, int> visit)
    {
        int x0 = Math.Max(0, (int)Math.Floor(cx - reach)), x1 = Math.Min(size - 1, (int)Math.Ceiling(cx + reach));
        int y0 = Math.Max(0, (int)Math.Floor(cy - reach)), y1 = Math.Min(size - 1, (int)Math.Ceiling(cy + reach));
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
                visit(x, y, (y * size + x) * 3);
    }

    private static void Blend(double[] pixels, int at, Rgb colour, double alpha)
    {
        pixels[at] += (colour.R - pixels[at]) * alpha;
        pixels[at + 1] += (colour.G - pixels[at + 1]) * alpha;
        pixels[at + 2] += (colour.B - pixels[at + 2]) * alpha;
    }
}
