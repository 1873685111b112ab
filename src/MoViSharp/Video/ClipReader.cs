using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Video;

/// <summary>Reads a whole clip as a tensor [1, 3, T, H, W] in [0, 1]: from a `.npy` array [T, H, W, 3] or from any video input.</summary>
public static class ClipReader
{
    public static Tensor Read(string input, int size, CancellationToken cancellationToken = default)
    {
        if (input.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) return ReadNpy(input);
        using var source = FfmpegFrameSource.Open(input, VideoSourceOptions.Square(size));
        var frames = source.ReadFrames(cancellationToken).ToList();
        try
        {
            if (frames.Count == 0) throw new InvalidDataException($"{input}: the video has no frames.");
            return FrameConversion.ToClipTensor(frames);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    /// <summary>A float32 `.npy` clip [T, H, W, 3] with values in [0, 1] → [1, 3, T, H, W].</summary>
    public static Tensor ReadNpy(string path)
    {
        using var array = NpyFile.Read(path);
        if (array.dtype != ScalarType.Float32)
            throw new InvalidDataException($"{path}: expected float32 values in [0, 1], got {array.dtype}.");
        if (array.dim() != 4 || array.shape[3] != 3 || array.shape[0] < 1)
            throw new InvalidDataException($"{path}: expected a clip [T, H, W, 3], got [{string.Join(", ", array.shape)}].");
        return array.permute(3, 0, 1, 2).unsqueeze(0).contiguous();
    }
}
