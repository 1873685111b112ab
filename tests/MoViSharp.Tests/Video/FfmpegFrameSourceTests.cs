using System.Diagnostics;
using MoViSharp.Video;

namespace MoViSharp.Tests.Video;

public sealed class FfmpegFrameSourceTests(VideoTestClips clips) : IClassFixture<VideoTestClips>
{
    private static List<(long Index, int Width, int Height, int Bytes)> Decode(string input, VideoSourceOptions options)
    {
        using var source = FfmpegFrameSource.Open(input, options);
        var seen = new List<(long, int, int, int)>();
        foreach (var frame in source.ReadFrames())
            using (frame)
                seen.Add((frame.Index, frame.Width, frame.Height, frame.Rgb.Length));
        return seen;
    }

    [Fact]
    public void NonSquareClip_DecodesEveryFrame_AtTheRequestedSize_WithAndWithoutCrop()
    {
        foreach (bool crop in new[] { true, false })
        {
            var frames = Decode(clips.TestPattern, new VideoSourceOptions { Width = 32, Height = 32, CenterCrop = crop });
            Assert.Equal(20, frames.Count);
            Assert.All(frames, f => Assert.Equal((32, 32, 32 * 32 * 3), (f.Width, f.Height, f.Bytes)));
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), frames.Select(f => f.Index));
        }
    }

    [Fact]
    public void CenterCrop_KeepsTheCentredSquare_AndStretchingKeepsTheEdges()
    {
        // 64×48 raw frame: columns 0-7 red, 56-63 blue, the rest green. The centred 48×48 square is columns 8-55: all green.
        const int w = 64, h = 48;
        var frame = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int channel = x < 8 ? 0 : x >= 56 ? 2 : 1;
                frame[(y * w + x) * 3 + channel] = 255;
            }

        RgbMeans(frame, crop: true, out var cropped, out var leftCropped);
        Assert.True(cropped[1] > 0.97 && cropped[0] < 0.03 && cropped[2] < 0.03, $"cropped means {string.Join(", ", cropped)}");
        Assert.True(leftCropped[1] > 0.97, $"left column after crop {string.Join(", ", leftCropped)}");

        RgbMeans(frame, crop: false, out var stretched, out var leftStretched);
        Assert.True(stretched[0] > 0.05 && stretched[2] > 0.05, $"stretched means {string.Join(", ", stretched)}");
        Assert.True(leftStretched[0] > 0.9, $"left column after stretch {string.Join(", ", leftStretched)}");

        static void RgbMeans(byte[] raw, bool crop, out double[] mean, out double[] leftColumn)
        {
            var options = new VideoSourceOptions { Width = 32, Height = 32, CenterCrop = crop, RawWidth = w, RawHeight = h };
            using var source = FfmpegFrameSource.Open(VideoInput.FromRawStream(new MemoryStream(raw)), options);
            using var output = Assert.Single(source.ReadFrames());
            mean = new double[3];
            leftColumn = new double[3];
            var rgb = output.Rgb;
            for (int p = 0; p < 32 * 32; p++)
                for (int c = 0; c < 3; c++)
                {
                    mean[c] += rgb[p * 3 + c] / 255.0 / (32 * 32);
                    if (p % 32 == 0)
                        leftColumn[c] += rgb[p * 3 + c] / 255.0 / 32;
                }
        }
    }

    [Fact]
    public void SolidRedClip_GivesRedChannelOne_OthersZero_InFloatsAndTensor()
    {
        using var source = FfmpegFrameSource.Open(clips.SolidRed, VideoSourceOptions.Square(32));
        var frames = source.ReadFrames().ToList();
        Assert.Equal(10, frames.Count);
        var chw = new float[3 * 32 * 32];
        frames[3].CopyToChw(chw);
        Assert.All(chw[..1024], v => Assert.InRange(v, 0.98f, 1f));
        Assert.All(chw[1024..], v => Assert.InRange(v, 0f, 0.02f));

        using var tensor = frames[3].ToTensor();
        Assert.Equal(new long[] { 1, 3, 1, 32, 32 }, tensor.shape);
        Assert.InRange(tensor[0, 0].mean().item<float>(), 0.98f, 1f);
        Assert.InRange(tensor[0, 1].max().item<float>(), 0f, 0.02f);
        Assert.InRange(tensor[0, 2].max().item<float>(), 0f, 0.02f);
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void FpsOption_Subsamples_AndMaxFrames_Limits()
    {
        // 20 frames at 10 fps is 2 s: at 5 fps that is 10 frames.
        Assert.Equal(10, Decode(clips.TestPattern, new VideoSourceOptions { Width = 16, Height = 16, Fps = 5 }).Count);
        Assert.Equal(7, Decode(clips.TestPattern, new VideoSourceOptions { Width = 16, Height = 16, MaxFrames = 7 }).Count);
    }

    [Fact]
    public void Timestamps_FollowTheFrameRate()
    {
        using var source = FfmpegFrameSource.Open(clips.TestPattern, new VideoSourceOptions { Width = 16, Height = 16, Fps = 5 });
        var stamps = source.ReadFrames().Select(f => { using (f) return f.Timestamp; }).ToList();
        Assert.Equal(TimeSpan.FromSeconds(0.2 * 3), stamps[3]);
        Assert.Equal(10.0, source.StreamInfo!.FrameRate!.Value, 3);
    }

    [Fact]
    public void RawStreamInput_KeepsFrameOrderAndValues_AndDropsAPartialLastFrame()
    {
        var raw = RawFrames.IndexEncoded(12, 16, 16);
        // Half a frame more at the end: must be dropped, not crash.
        var withTail = raw.Concat(new byte[16 * 16 * 3 / 2]).ToArray();
        var options = new VideoSourceOptions { Width = 16, Height = 16, RawWidth = 16, RawHeight = 16, RawFrameRate = 25 };
        using var source = FfmpegFrameSource.Open(VideoInput.FromRawStream(new MemoryStream(withTail)), options);
        int count = 0;
        foreach (var frame in source.ReadFrames())
            using (frame)
            {
                Assert.Equal(count, frame.Index);
                Assert.Equal(TimeSpan.FromSeconds(count / 25.0), frame.Timestamp);
                Assert.True(frame.Rgb.IndexOfAnyExcept((byte)(count * 10)) < 0, $"frame {count} is not filled with {count * 10}");
                count++;
            }
        Assert.Equal(12, count);
    }

    [Fact]
    public async Task AsyncEnumeration_YieldsTheSameFrames()
    {
        await using var source = FfmpegFrameSource.Open(clips.TestPattern, new VideoSourceOptions { Width = 8, Height = 8 });
        int count = 0;
        await foreach (var frame in source.ReadFramesAsync())
            using (frame)
                count++;
        Assert.Equal(20, count);
    }

    [Fact]
    public void ReferenceClip_Decodes131FramesAt172()
    {
        var frames = Decode(VideoTestClips.ReferenceVideo("carving_ice_172.mp4"), VideoSourceOptions.Square(172));
        Assert.Equal(131, frames.Count);
        Assert.All(frames, f => Assert.Equal((172, 172), (f.Width, f.Height)));
    }

    [Fact]
    public void Errors_NameTheInputAndTheProblem()
    {
        string missing = Path.Combine(clips.Directory, "no-such-clip.mp4");
        var notFound = Assert.Throws<VideoInputException>(() => FfmpegFrameSource.Open(missing));
        Assert.Contains(missing, notFound.Message);
        Assert.Contains("not found", notFound.Message);

        var noVideo = Assert.Throws<VideoInputException>(() => FfmpegFrameSource.Open(clips.AudioOnly));
        Assert.Contains("has no video stream", noVideo.Message);

        var garbage = Assert.Throws<VideoInputException>(() => FfmpegFrameSource.Open(clips.Garbage));
        Assert.Contains("could not be read", garbage.Message);

        var noFfmpeg = Assert.Throws<FfmpegNotFoundException>(() =>
            FfmpegFrameSource.Open(clips.SolidRed, new VideoSourceOptions { FfmpegPath = "/nonexistent/bin/ffmpeg" }));
        Assert.Contains("ffmpeg was not found", noFfmpeg.Message);
        Assert.Contains("apt-get install -y --no-install-recommends ffmpeg", noFfmpeg.Message);
    }

    [Fact]
    public void FfmpegFailure_WithoutProbing_IsReportedWithItsErrorOutput()
    {
        var options = new VideoSourceOptions { Width = 8, Height = 8, ProbeLocalFiles = false };
        using var source = FfmpegFrameSource.Open(clips.Garbage, options);
        var error = Assert.Throws<VideoInputException>(() => source.ReadFrames().ToList());
        Assert.Contains("before producing any frames", error.Message);
        Assert.Contains("garbage.mp4", error.Message);
        Assert.Contains("Invalid data", error.Message);
    }

    [Fact]
    public void BoundedBuffer_NeverHoldsMoreThanItsCapacity()
    {
        var options = new VideoSourceOptions { Width = 8, Height = 8, RawWidth = 8, RawHeight = 8, BufferCapacity = 3 };
        using var source = FfmpegFrameSource.Open(VideoInput.FromRawStream(new EndlessStream()), options);
        // Without a consumer the decoder fills the buffer, then waits.
        Assert.True(SpinWait.SpinUntil(() => source.BufferedFrames == 3, TimeSpan.FromSeconds(60)), "the buffer never filled");
        Thread.Sleep(200);
        Assert.Equal(3, source.PeakBufferedFrames);
        Assert.InRange(source.FramesDecoded, 3, 4); // three queued, at most one in the decoder's hands

        int taken = 0;
        foreach (var frame in source.ReadFrames())
        {
            frame.Dispose();
            if (++taken == 50)
                break;
        }
        Assert.InRange(source.PeakBufferedFrames, 1, 3);
        Assert.InRange(source.FramesDecoded, 50, 50 + 4);
    }

    [Fact]
    public void DisposeMidStream_EndsFfmpeg_AndCancellationStopsReading()
    {
        var options = new VideoSourceOptions { Width = 8, Height = 8, RawWidth = 8, RawHeight = 8 };
        var source = FfmpegFrameSource.Open(VideoInput.FromRawStream(new EndlessStream()), options);
        int pid = source.ProcessId;
        using var cancel = new CancellationTokenSource();
        int count = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var frame in source.ReadFrames(cancel.Token))
            {
                frame.Dispose();
                if (++count == 5)
                    cancel.Cancel();
            }
        });
        Assert.Equal(5, count);
        source.Dispose();
        Assert.True(HasEnded(pid), $"ffmpeg (pid {pid}) still runs after Dispose");
        Assert.Throws<ObjectDisposedException>(() => source.ReadFrames().ToList());
    }

    private static bool HasEnded(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
