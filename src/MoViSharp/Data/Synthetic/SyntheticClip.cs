namespace MoViSharp.Data.Synthetic;

/// <summary>A rendered clip: float32 RGB values in [0, 1], laid out [T, H, W, 3] (frame, row, column, channel).</summary>
public sealed record SyntheticClip(float[] Data, int Frames, int Height, int Width)
{
    public const int Channels = 3;

    /// <summary>The shape [T, H, W, 3], as written to .npy.</summary>
    public long[] Shape => [Frames, Height, Width, Channels];

    public int FrameLength => Height * Width * Channels;

    /// <summary>The values of frame <paramref name="frame"/>, H×W×3.</summary>
    public ReadOnlySpan<float> Frame(int frame) => Data.AsSpan(frame * FrameLength, FrameLength);

    /// <summary>The clip as 8-bit RGB (rounded), the layout ffmpeg's rawvideo rgb24 input expects.</summary>
    public byte[] ToRgb24()
    {
        var bytes = new byte[Data.Length];
        for (int i = 0; i < Data.Length; i++)
            bytes[i] = (byte)Math.Round(Math.Clamp(Data[i], 0f, 1f) * 255f, MidpointRounding.AwayFromZero);
        return bytes;
    }
}
