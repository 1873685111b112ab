using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MoViSharp.Video;

/// <summary>Converts interleaved rgb24 bytes (HWC) to the model's float layout: channel planes, values in [0,1], no mean/std.</summary>
public static class FrameConversion
{
    // A table gives exactly byte/255f (not byte*(1/255f), which differs in the last bit) at the cost of a load.
    private static readonly float[] UnitScale = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    /// <summary>
    /// De-interleaves <paramref name="rgb"/> (height×width×3 bytes) into three float planes of <paramref name="chw"/>,
    /// dividing by 255. Plane c starts at c×<paramref name="channelStride"/> (default width×height, i.e. a dense 3×H×W;
    /// pass T×H×W to write one time step of a C×T×H×W clip, after slicing <paramref name="chw"/> to that step).
    /// </summary>
    public static void ToChwFloat(ReadOnlySpan<byte> rgb, Span<float> chw, int width, int height, int channelStride = 0)
    {
        int pixels = checked(width * height);
        if (channelStride == 0)
            channelStride = pixels;
        if (channelStride < pixels)
            throw new ArgumentOutOfRangeException(nameof(channelStride), $"A channel plane needs {pixels} floats, the stride is {channelStride}.");
        if (rgb.Length < pixels * 3)
            throw new ArgumentException($"A {width}x{height} rgb24 frame needs {pixels * 3} bytes, got {rgb.Length}.", nameof(rgb));
        if (chw.Length < 2 * channelStride + pixels)
            throw new ArgumentException($"The destination needs {2 * channelStride + pixels} floats, got {chw.Length}.", nameof(chw));

        var r = chw[..pixels];
        var g = chw.Slice(channelStride, pixels);
        var b = chw.Slice(2 * channelStride, pixels);
        var table = UnitScale.AsSpan();
        var source = rgb[..(pixels * 3)];
        for (int p = 0, s = 0; p < r.Length; p++, s += 3)
        {
            r[p] = table[source[s]];
            g[p] = table[source[s + 1]];
            b[p] = table[source[s + 2]];
        }
    }

    /// <summary>Bytes to floats in [0,1] in the same (HWC) order, with the same table as every other path: clips read for
    /// training and evaluation get bit for bit the values frames streamed to a classifier get.</summary>
    public static void ToUnitFloats(ReadOnlySpan<byte> rgb, Span<float> hwc)
    {
        if (hwc.Length < rgb.Length) throw new ArgumentException($"The destination needs {rgb.Length} floats, got {hwc.Length}.", nameof(hwc));
        var table = UnitScale.AsSpan();
        for (int i = 0; i < rgb.Length; i++) hwc[i] = table[rgb[i]];
    }

    /// <summary>One frame as a float32 tensor [3, H, W] in [0, 1]: what a <c>StreamingSession</c> takes.</summary>
    public static Tensor ToFrameTensor(VideoFrame frame)
    {
        var tensor = empty([3, frame.Height, frame.Width], ScalarType.Float32);
        ToChwFloat(frame.Rgb, MemoryMarshal.Cast<byte, float>(tensor.bytes), frame.Width, frame.Height);
        return tensor;
    }

    /// <summary>A frame already in floats, height×width×3 (HWC) in [0, 1] (e.g. rendered), as a tensor [3, H, W].</summary>
    public static Tensor FromHwcFloats(ReadOnlySpan<float> hwc, int width, int height)
    {
        if (hwc.Length < checked(width * height * 3)) throw new ArgumentException($"A {width}x{height} frame needs {width * height * 3} floats, got {hwc.Length}.");
        using var interleaved = tensor(hwc[..(width * height * 3)].ToArray(), [height, width, 3]);
        return interleaved.permute(2, 0, 1).contiguous();
    }

    /// <summary>A float32 tensor [1,3,1,H,W] (batch, channel, time, height, width) from one frame.</summary>
    public static Tensor ToTensor(VideoFrame frame) => ToClipTensor([frame]);

    /// <summary>A float32 tensor [1,3,T,H,W] from T frames of equal size, in order.</summary>
    public static Tensor ToClipTensor(IReadOnlyList<VideoFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
            throw new ArgumentException("A clip needs at least one frame.", nameof(frames));
        int width = frames[0].Width, height = frames[0].Height, count = frames.Count;
        foreach (var f in frames)
            if (f.Width != width || f.Height != height)
                throw new ArgumentException($"Frame {f.Index} is {f.Width}x{f.Height}, frame {frames[0].Index} is {width}x{height}; a clip needs one size.", nameof(frames));

        int pixels = width * height, channelStride = count * pixels;
        var tensor = empty([1, 3, count, height, width], ScalarType.Float32);
        try
        {
            // Write straight into the tensor's CPU memory: no intermediate float[] and no second copy.
            var data = MemoryMarshal.Cast<byte, float>(tensor.bytes);
            for (int t = 0; t < count; t++)
                ToChwFloat(frames[t].Rgb, data[(t * pixels)..], width, height, channelStride);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }
}
