using MoViSharp.Video;

namespace MoViSharp.Tests.Video;

public class VideoInputTests
{
    [Theory]
    [InlineData("-", VideoInputKind.RawStandardInput)]
    [InlineData("rtsp://cam.local:554/stream1", VideoInputKind.Rtsp)]
    [InlineData("RTSPS://cam/live", VideoInputKind.Rtsp)]
    [InlineData("https://example.org/clip.mp4", VideoInputKind.Http)]
    [InlineData("http://example.org/live.m3u8", VideoInputKind.Http)]
    [InlineData("/dev/video0", VideoInputKind.Device)]
    [InlineData("udp://239.0.0.1:1234", VideoInputKind.OtherUrl)]
    [InlineData("clips/ice.mp4", VideoInputKind.File)]
    [InlineData("C:\\clips\\ice.mp4", VideoInputKind.File)]
    public void Parse_RecognisesInputKinds(string text, VideoInputKind kind) => Assert.Equal(kind, VideoInput.Parse(text).Kind);

    [Fact]
    public void Arguments_CarryTheRightInputFlags()
    {
        var options = new VideoSourceOptions { RawWidth = 320, RawHeight = 240, RawFrameRate = 12.5 };
        Assert.Equal(["-rtsp_transport", "tcp", "-i", "rtsp://cam/s"], FfmpegArguments.ForInput(VideoInput.Parse("rtsp://cam/s"), options));
        Assert.Equal(["-f", "v4l2", "-i", "/dev/video2"], FfmpegArguments.ForInput(VideoInput.Parse("/dev/video2"), options));
        Assert.Equal(["-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", "320x240", "-framerate", "12.5", "-i", "pipe:0"],
            FfmpegArguments.ForInput(VideoInput.Parse("-"), options));
        var http = FfmpegArguments.ForInput(VideoInput.Parse("https://h/x.mp4"), options);
        Assert.Contains("-reconnect", http);
        Assert.Equal("https://h/x.mp4", http[^1]);
        Assert.Equal("file:" + Path.GetFullPath("a:b.mp4"), FfmpegArguments.ForInput(VideoInput.Parse("a:b.mp4"), options)[^1]);
    }

    [Fact]
    public void Filter_SubsamplesThenCropsThenResizesBilinear()
    {
        var options = new VideoSourceOptions { Width = 172, Height = 172, Fps = 5 };
        Assert.Equal("fps=5,crop=w='min(iw,ih*172/172)':h='min(ih,iw*172/172)':exact=1,scale=172:172:flags=bilinear,format=rgb24",
            FfmpegArguments.VideoFilter(options));
        Assert.Equal("scale=64:32:flags=bilinear,format=rgb24", FfmpegArguments.VideoFilter(new VideoSourceOptions { Width = 64, Height = 32, CenterCrop = false }));
        var args = FfmpegArguments.ForDecoding(VideoInput.Parse("x.mp4"), new VideoSourceOptions { MaxFrames = 9 });
        Assert.Equal(["-frames:v", "9", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], args.TakeLast(7));
        Assert.Contains("-nostdin", args);
    }

    [Fact]
    public void RawInput_WithoutItsSize_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => FfmpegFrameSource.Open("-", new VideoSourceOptions()));
        Assert.Contains("RawWidth and RawHeight", error.Message);
    }

    [Fact]
    public void Locator_ExplainsHowToInstallAMissingFfmpeg()
    {
        var error = Assert.Throws<FfmpegNotFoundException>(() => FfmpegLocator.FindFfmpeg("/nonexistent/ffmpeg"));
        Assert.Contains("ffmpeg was not found", error.Message);
        Assert.Contains("/nonexistent/ffmpeg", error.Message);
        Assert.Contains(FfmpegLocator.InstallCommand, error.Message);
        Assert.Contains("sudo apt-get install -y --no-install-recommends ffmpeg", FfmpegLocator.InstallCommand);
    }
}
