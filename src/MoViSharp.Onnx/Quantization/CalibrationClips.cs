using MoViSharp.Data;
using MoViSharp.Data.Synthetic;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Quantization;

/// <summary>Clips to calibrate activation ranges on: the user's videos or .npy clips, or fresh clips of the synthetic benchmark.</summary>
public static class CalibrationClips
{
    /// <summary>Clips [1, 3, T, H, W] (RGB in [0, 1], <paramref name="size"/>², at most <paramref name="frames"/> frames) read from files.</summary>
    public static IEnumerable<Tensor> FromFiles(IEnumerable<string> paths, int size, int frames, double? fps = null)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsClip).Order(StringComparer.Ordinal))
                    yield return ClipReader.Read(new ClipSample(file, 0), size, fps, frames).ToTensor();
                continue;
            }
            if (!File.Exists(path)) throw new FileNotFoundException($"Calibration clip '{path}' does not exist.");
            yield return ClipReader.Read(new ClipSample(path, 0), size, fps, frames).ToTensor();
        }
    }

    /// <summary><paramref name="count"/> synthetic-benchmark clips (classes in turn), deterministic by <paramref name="seed"/>.</summary>
    public static IEnumerable<Tensor> Synthetic(int count, int size, int frames, long seed = 20240601)
    {
        int classes = SyntheticActionClasses.All.Count;
        for (int i = 0; i < count; i++)
        {
            var clip = SyntheticClipRenderer.Render(i % classes, seed, i, frames, size);
            yield return tensor(clip.Data, clip.Shape).permute(3, 0, 1, 2).unsqueeze(0).contiguous();
        }
    }

    private static bool IsClip(string file) =>
        Path.GetExtension(file).ToLowerInvariant() is ".npy" or ".mp4" or ".mkv" or ".avi" or ".webm" or ".mov";
}
