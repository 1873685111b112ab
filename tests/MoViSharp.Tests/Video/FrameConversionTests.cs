using MoViSharp.Video;

namespace MoViSharp.Tests.Video;

public class FrameConversionTests
{
    [Fact]
    public void ToChwFloat_DeinterleavesAndScalesTo01()
    {
        // 2×1 image: pixel 0 = (255, 0, 51), pixel 1 = (0, 255, 102).
        byte[] rgb = [255, 0, 51, 0, 255, 102];
        var chw = new float[6];
        FrameConversion.ToChwFloat(rgb, chw, width: 2, height: 1);
        Assert.Equal([1f, 0f, 0f, 1f, 51 / 255f, 102 / 255f], chw);
    }

    [Fact]
    public void ClipTensor_IsBatchChannelTimeHeightWidth()
    {
        using var a = new VideoFrame(0, null, 2, 1, [10, 20, 30, 40, 50, 60]);
        using var b = new VideoFrame(1, null, 2, 1, [70, 80, 90, 100, 110, 120]);
        using var clip = FrameConversion.ToClipTensor([a, b]);
        Assert.Equal(new long[] { 1, 3, 2, 1, 2 }, clip.shape);
        // channel 1 (green), time 1, row 0: pixels 80 and 110.
        Assert.Equal(80 / 255f, clip[0, 1, 1, 0, 0].item<float>());
        Assert.Equal(110 / 255f, clip[0, 1, 1, 0, 1].item<float>());
        Assert.Equal(40 / 255f, clip[0, 0, 0, 0, 1].item<float>());
    }

    [Fact]
    public void DisposedFrame_RefusesAccess()
    {
        var frame = new VideoFrame(3, null, 1, 1, [1, 2, 3]);
        frame.Dispose();
        Assert.Throws<ObjectDisposedException>(() => frame.Rgb.Length);
    }
}
