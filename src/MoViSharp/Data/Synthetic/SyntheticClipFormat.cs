namespace MoViSharp.Data.Synthetic;

/// <summary>How <see cref="SyntheticDatasetWriter"/> stores clips.</summary>
public enum SyntheticClipFormat
{
    /// <summary>float32 [T, H, W, 3] arrays in [0, 1], exactly as rendered (<c>.npy</c>).</summary>
    Npy,
    /// <summary>H.264 video at 25 fps encoded by the ffmpeg program (<c>.mp4</c>); lossy, for looking at or for video loaders.</summary>
    Mp4,
}
