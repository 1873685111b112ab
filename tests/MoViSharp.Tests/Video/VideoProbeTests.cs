using MoViSharp.Video;

namespace MoViSharp.Tests.Video;

public sealed class VideoProbeTests(VideoTestClips clips) : IClassFixture<VideoTestClips>
{
    [Fact]
    public void ReferenceClip_ProbesWithFfprobe_AndWithTheFfmpegFallback()
    {
        var input = VideoInput.Parse(VideoTestClips.ReferenceVideo("carving_ice_172.mp4"));
        var probed = VideoProbe.Probe(input);
        Assert.Equal((172, 172), (probed.Width, probed.Height));
        Assert.Equal(131, probed.FrameCount);
        Assert.InRange(probed.FrameRate!.Value, 29.5, 30.0);
        Assert.InRange(probed.Duration!.Value.TotalSeconds, 4.3, 4.4);

        var fallback = VideoProbe.Probe(input, ffmpegPath: null, useFfprobe: false);
        Assert.Equal((172, 172), (fallback.Width, fallback.Height));
        Assert.InRange(fallback.FrameRate!.Value, 29.5, 30.0);
        Assert.InRange(fallback.Duration!.Value.TotalSeconds, 4.3, 4.4);
        Assert.Equal("h264", fallback.Codec);
    }

    [Fact]
    public void NonSquareClip_ReportsItsSize()
    {
        var info = VideoProbe.Probe(clips.TestPattern);
        Assert.Equal((64, 48), (info.Width, info.Height));
        Assert.Equal(10.0, info.FrameRate!.Value, 3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ProblemInputs_GiveClearErrors(bool useFfprobe)
    {
        VideoStreamInfo Probe(string path) => VideoProbe.Probe(VideoInput.Parse(path), null, useFfprobe);

        var noVideo = Assert.Throws<VideoInputException>(() => Probe(clips.AudioOnly));
        Assert.Equal($"Video input '{clips.AudioOnly}' has no video stream.", noVideo.Message);

        var unreadable = Assert.Throws<VideoInputException>(() => Probe(clips.Garbage));
        Assert.StartsWith($"Video input '{clips.Garbage}' could not be read: ", unreadable.Message);
        // ffmpeg's own first complaint follows ("moov atom not found" for this .mp4), without its "[mov @ 0x…]" prefix.
        Assert.Matches(@"could not be read: \w", unreadable.Message);
        Assert.DoesNotContain("@ 0x", unreadable.Message);

        string missing = Path.Combine(clips.Directory, "missing.mkv");
        Assert.Equal($"Video input '{missing}' not found.", Assert.Throws<VideoInputException>(() => Probe(missing)).Message);
    }

    [Fact]
    public void StreamListing_IgnoresCodecTagsThatLookLikeSizes()
    {
        const string listing = """
            Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
              Duration: 00:01:02.50, start: 0.000000, bitrate: 150 kb/s
              Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 2 kb/s (default)
              Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 144 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
            At least one output file must be specified
            """;
        var info = VideoProbe.ParseStreamListing(listing, VideoInput.Parse("x.mp4"));
        Assert.Equal(new VideoStreamInfo(640, 360, 25, null, TimeSpan.FromSeconds(62.5), "h264"), info);
    }
}
