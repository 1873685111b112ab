namespace MoViSharp.Data;

/// <summary>A decoded clip: float32 RGB in [0, 1], laid out [T, H, W, 3] (the .npy layout).</summary>
public sealed record DecodedClip(float[] Pixels, int Frames, int Height, int Width)
{
    public long Bytes => (long)Pixels.Length * sizeof(float);
}
