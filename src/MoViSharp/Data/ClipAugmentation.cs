using MoViSharp.Data.Synthetic;

namespace MoViSharp.Data;

/// <summary>
/// Spatial crops of a clip (the same box on every frame), resized bilinearly to the model size and written as [3, T, S, S].
/// Training: random-resized crop (area fraction and aspect ratio drawn as in Inception/MoViNet training: area 0.08–1, aspect
/// 0.5–2, log-uniform) and an optional horizontal flip, <b>off by default</b> because flipping swaps the meaning of left/right
/// classes. Evaluation: the centred square of <see cref="EvalCropFraction"/> of the short side.
/// </summary>
public sealed record ClipAugmentation
{
    public double MinArea { get; init; } = 0.08;
    public double MaxArea { get; init; } = 1.0;
    public double MinAspect { get; init; } = 0.5;
    public double MaxAspect { get; init; } = 2.0;
    public bool HorizontalFlip { get; init; }
    /// <summary>Side of the evaluation centre crop as a fraction of the short side.</summary>
    public double EvalCropFraction { get; init; } = 1.0;

    public readonly record struct Box(double X, double Y, double Width, double Height, bool Flip);

    /// <summary>The random-resized-crop box (up to 10 draws, then the centred square, as torchvision does).</summary>
    public Box RandomBox(int height, int width, ref SplitMix64 random)
    {
        double area = (double)height * width, logMin = Math.Log(MinAspect), logMax = Math.Log(MaxAspect);
        bool flip = HorizontalFlip && random.NextBool();
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * random.NextDouble(MinArea, MaxArea);
            double aspect = Math.Exp(random.NextDouble(logMin, logMax));
            double w = Math.Sqrt(target * aspect), h = Math.Sqrt(target / aspect);
            if (w <= width && h <= height)
                return new Box(random.NextDouble() * (width - w), random.NextDouble() * (height - h), w, h, flip);
        }
        return CenterBox(height, width, 1.0) with { Flip = flip };
    }

    public Box EvalBox(int height, int width) => CenterBox(height, width, EvalCropFraction);

    /// <summary>The whole frame (frames decoded at the model's size by its preprocessing).</summary>
    public static Box WholeFrame(int height, int width) => new(0, 0, width, height, false);

    private static Box CenterBox(int height, int width, double fraction)
    {
        double side = Math.Min(height, width) * fraction;
        return new Box((width - side) / 2, (height - side) / 2, side, side, false);
    }

    /// <summary>
    /// Writes frames <paramref name="frameIndices"/> of <paramref name="clip"/>, cropped to <paramref name="box"/> and resized to
    /// <paramref name="size"/>², into <paramref name="output"/> as [3, T, S, S] (half-pixel centres, like align_corners=false).
    /// </summary>
    public static void CropResize(DecodedClip clip, int[] frameIndices, Box box, int size, Span<float> output)
    {
        int frames = frameIndices.Length, plane = size * size;
        if (output.Length != 3 * frames * plane) throw new ArgumentException($"Output holds {output.Length} floats, need {3 * frames * plane}.");
        int h = clip.Height, w = clip.Width;
        var x0 = new int[size]; var x1 = new int[size]; var fx = new float[size];
        var y0 = new int[size]; var y1 = new int[size]; var fy = new float[size];
        Axis(box.X, box.Width, w, size, x0, x1, fx);
        Axis(box.Y, box.Height, h, size, y0, y1, fy);
        if (box.Flip) { Array.Reverse(x0); Array.Reverse(x1); Array.Reverse(fx); }
        var pixels = clip.Pixels.AsSpan();
        for (int t = 0; t < frames; t++)
        {
            var frame = pixels.Slice(frameIndices[t] * h * w * 3, h * w * 3);
            for (int oy = 0; oy < size; oy++)
            {
                int r0 = y0[oy] * w * 3, r1 = y1[oy] * w * 3;
                float wy = fy[oy];
                for (int ox = 0; ox < size; ox++)
                {
                    int c0 = x0[ox] * 3, c1 = x1[ox] * 3;
                    float wx = fx[ox];
                    int o = t * plane + oy * size + ox;
                    for (int c = 0; c < 3; c++)
                    {
                        float top = frame[r0 + c0 + c] + (frame[r0 + c1 + c] - frame[r0 + c0 + c]) * wx;
                        float bottom = frame[r1 + c0 + c] + (frame[r1 + c1 + c] - frame[r1 + c0 + c]) * wx;
                        output[c * frames * plane + o] = top + (bottom - top) * wy;
                    }
                }
            }
        }
    }

    // Source coordinate of output pixel i: start + (i + 0.5)·extent/size − 0.5, clamped to the image.
    private static void Axis(double start, double extent, int limit, int size, int[] lo, int[] hi, float[] frac)
    {
        double scale = extent / size;
        for (int i = 0; i < size; i++)
        {
            double s = Math.Clamp(start + (i + 0.5) * scale - 0.5, 0, limit - 1);
            int a = (int)Math.Floor(s);
            lo[i] = a;
            hi[i] = Math.Min(a + 1, limit - 1);
            frac[i] = (float)(s - a);
        }
    }
}
