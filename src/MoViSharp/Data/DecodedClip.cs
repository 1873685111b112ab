using static TorchSharp.torch;

namespace MoViSharp.Data;

/// <summary>A decoded clip: float32 RGB in [0, 1], laid out [T, H, W, 3] (the .npy layout).</summary>
public sealed record DecodedClip(float[] Pixels, int Frames, int Height, int Width)
{
    public long Bytes => (long)Pixels.Length * sizeof(float);

    /// <summary>The clip as a model input [1, 3, T, H, W].</summary>
    public Tensor ToTensor() => tensor(Pixels, [Frames, Height, Width, 3]).permute(3, 0, 1, 2).unsqueeze(0).contiguous();
}
