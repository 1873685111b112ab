using MoViSharp.Video;

namespace MoViSharp.Server.Streams;

/// <summary>
/// Files, URLs and devices decoded by ffmpeg (the inputs `classify` accepts) at the model's size and the stream's frame rate.
/// Files are played on the frame grid (a file is read faster than real time otherwise) and may loop, each pass a new video;
/// URLs and devices are taken as they arrive. ffmpeg dying mid-stream throws, which marks the stream failed.
/// </summary>
public sealed class FfmpegSource(string input, VideoSourceOptions options, bool paced, bool loop) : IStreamSource
{
    public string Description => loop ? $"{input} (looping)" : input;

    /// <summary>Opens the input now, so that a missing or unreadable file is refused before the stream exists.</summary>
    public static FfmpegFrameSource Open(string input, VideoSourceOptions options)
    {
        try
        {
            return FfmpegFrameSource.Open(input, options);
        }
        catch (Exception e) when (e is VideoInputException or FfmpegNotFoundException or ArgumentException)
        {
            throw new BadRequestException(e.Message, 422);
        }
    }

    /// <summary>The source to run first (opened by the caller to check it); later passes of a loop open their own.</summary>
    public FfmpegFrameSource? First { get; init; }

    public Task RunAsync(Action<QueuedFrame> emit, CancellationToken cancel) =>
        // ffmpeg frames are read with blocking calls: a thread of its own, not a pool thread.
        Task.Factory.StartNew(() => Run(emit, cancel), cancel, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(Action<QueuedFrame> emit, CancellationToken cancel)
    {
        double fps = options.Fps ?? 15;
        long grid = FrameClock.NextIndex(fps), index = 0;
        var next = First;
        do
        {
            using var source = next ?? Open(input, options);
            next = null;
            bool first = true;
            long before = index;
            foreach (var frame in source.ReadFrames(cancel))
            {
                using (frame)
                {
                    if (paced)
                    {
                        FrameClock.WaitUntilAsync(fps, grid++, cancel).GetAwaiter().GetResult();
                        grid = Math.Max(grid, FrameClock.NextIndex(fps) - 1);
                    }
                    emit(new QueuedFrame(frame.Rgb.ToArray(), index++, FrameClock.Now, first));
                    first = false;
                }
            }
            if (index == before) throw new BadRequestException($"No frames were decoded from '{input}'.", 422);
        } while (loop && !cancel.IsCancellationRequested);
    }
}
