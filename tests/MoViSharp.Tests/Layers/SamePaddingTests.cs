using MoViSharp.Layers;

namespace MoViSharp.Tests.Layers;

public class SamePaddingTests
{
    [Theory]
    [InlineData(172, 3, 2, 0, 1)]   // even size, stride 2: TF pads only after
    [InlineData(172, 5, 2, 1, 2)]
    [InlineData(43, 3, 2, 1, 1)]    // odd size: symmetric
    [InlineData(11, 5, 2, 2, 2)]
    [InlineData(22, 3, 1, 1, 1)]
    [InlineData(22, 5, 1, 2, 2)]
    [InlineData(6, 1, 1, 0, 0)]
    [InlineData(5, 3, 1, 1, 1)]     // temporal "same" for k_t = 3
    [InlineData(5, 5, 1, 2, 2)]
    public void MatchesTensorFlowSamePadding(int size, int kernel, int stride, int before, int after)
    {
        Assert.Equal((before, after), SamePadding.For(size, kernel, stride));
        long outSize = SamePadding.OutputSize(size, stride);
        Assert.Equal((size + before + after - kernel) / stride + 1, outSize);
    }

    [Theory]
    [InlineData(172, 2, 86)]
    [InlineData(43, 2, 22)]
    [InlineData(11, 2, 6)]
    public void OutputIsCeilOfSizeOverStride(int size, int stride, int expected) =>
        Assert.Equal(expected, SamePadding.OutputSize(size, stride));
}
