using MoViSharp.Video;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Data;

/// <summary>
/// Decodes one <see cref="ClipSample"/>: .npy arrays are read as they are ([T, H, W, 3] float32 in [0, 1]); video files go through
/// <see cref="FfmpegFrameSource"/> at <paramref name="videoSize"/>×<paramref name="videoSize"/> (centred square crop), at the
/// sampling's fps when set, within the sample's time range.
/// </summary>
public static class ClipReader
{
    public static DecodedClip Read(ClipSample sample, int videoSize, double? fps = null, int? maxFrames = null) =>
        Read(sample, new VideoSourceOptions { Width = videoSize, Height = videoSize, CenterCrop = true, Fps = fps, MaxFrames = maxFrames });

    /// <summary>Decodes with the given size, crop, resize and rate (e.g. a model's own preprocessing); .npy clips are read as they are.</summary>
    public static DecodedClip Read(ClipSample sample, VideoSourceOptions decode)
    {
        string where = sample.Origin ?? sample.Path;
        if (sample.IsNpy)
        {
            var (data, shape) = NpyFile.ReadFloat32(sample.Path);
            if (shape.Length != 4 || shape[3] != 3 || shape[0] < 1)
                throw new InvalidDataException($"{where}: expected a clip array [T, H, W, 3], got [{string.Join(", ", shape)}].");
            return new DecodedClip(data, (int)shape[0], (int)shape[1], (int)shape[2]);
        }
        var options = decode with
        {
            StartSeconds = sample.StartSeconds, EndSeconds = sample.EndSeconds, ProbeLocalFiles = false, BufferCapacity = 4,
        };
        using var source = FfmpegFrameSource.Open(sample.Path, options);
        var frames = new List<float[]>();
        int frameFloats = options.Width * options.Height * 3;
        try
        {
            foreach (var frame in source.ReadFrames())
            {
                using (frame)
                {
                    var pixels = new float[frameFloats];
                    FrameConversion.ToUnitFloats(frame.Rgb, pixels);
                    frames.Add(pixels);
                }
            }
        }
        catch (VideoInputException e) { throw new InvalidDataException($"{where}: could not decode the video ({e.Message}).", e); }
        if (frames.Count == 0) throw new InvalidDataException($"{where}: the video (range) has no frames.");
        var all = new float[frames.Count * frameFloats];
        for (int t = 0; t < frames.Count; t++) frames[t].CopyTo(all, t * frameFloats);
        return new DecodedClip(all, frames.Count, options.Height, options.Width);
    }
}
