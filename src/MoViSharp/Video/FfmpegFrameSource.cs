using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading.Channels;

namespace MoViSharp.Video;

/// <summary>
/// Decodes a video input to rgb24 frames of a fixed size with the ffmpeg program. A background thread reads whole frames
/// from ffmpeg's stdout into a bounded buffer (<see cref="VideoSourceOptions.BufferCapacity"/> frames); when the consumer
/// falls behind, the thread waits and the pipe back-pressures ffmpeg. Frames are handed out once, in order.
/// Dispose stops ffmpeg and the thread.
/// </summary>
public sealed class FfmpegFrameSource : IDisposable, IAsyncDisposable
{
    private const int ErrorOutputLimit = 8 * 1024;
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Channel<VideoFrame> _frames;
    private readonly Thread _decodeThread;
    private readonly Thread? _stdinPump;
    private readonly Task _stderrDrain;
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _errorOutput = new();
    private readonly Lock _bufferLock = new();
    private int _buffered, _peakBuffered;
    private long _framesDecoded;
    private Exception? _failure;
    private int _disposed;

    private FfmpegFrameSource(VideoInput input, VideoSourceOptions options, VideoStreamInfo? streamInfo, string ffmpeg)
    {
        Input = input;
        Options = options;
        StreamInfo = streamInfo;
        FrameRate = options.Fps ?? (input.IsRaw ? options.RawFrameRate : streamInfo?.FrameRate);
        Arguments = FfmpegArguments.ForDecoding(input, options);
        _frames = Channel.CreateBounded<VideoFrame>(new BoundedChannelOptions(options.BufferCapacity)
        {
            SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });

        var start = new ProcessStartInfo(ffmpeg)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // "-" input: ffmpeg inherits our stdin and reads the raw frames from it directly, no copying through us.
            RedirectStandardInput = input.Kind != VideoInputKind.RawStandardInput,
        };
        foreach (string a in Arguments)
            start.ArgumentList.Add(a);
        try
        {
            _process = Process.Start(start) ?? throw new VideoInputException($"Could not start {ffmpeg} for video input '{input}'.");
        }
        catch (Win32Exception e)
        {
            throw new VideoInputException($"Could not start {ffmpeg} for video input '{input}': {e.Message}", e);
        }

        _stderrDrain = DrainErrorOutputAsync(_process.StandardError);
        if (input.Kind == VideoInputKind.RawStream)
        {
            _stdinPump = new Thread(() => PumpStandardInput(input.RawStream!)) { IsBackground = true, Name = "ffmpeg stdin" };
            _stdinPump.Start();
        }
        else if (start.RedirectStandardInput)
        {
            _process.StandardInput.Close();
        }
        _decodeThread = new Thread(DecodeLoop) { IsBackground = true, Name = "ffmpeg decode" };
        _decodeThread.Start();
    }

    /// <summary>Starts decoding <paramref name="input"/> (a path, URL, <c>/dev/video*</c>, or <c>-</c> for raw rgb24 on stdin).</summary>
    public static FfmpegFrameSource Open(string input, VideoSourceOptions? options = null) => Open(VideoInput.Parse(input), options);

    /// <summary>
    /// Starts decoding <paramref name="input"/>. Local files are checked (and probed when
    /// <see cref="VideoSourceOptions.ProbeLocalFiles"/>) first, so that a missing, unreadable or video-less file fails here.
    /// </summary>
    public static FfmpegFrameSource Open(VideoInput input, VideoSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= new VideoSourceOptions();
        options.Validate(input);
        string ffmpeg = FfmpegLocator.FindFfmpeg(options.FfmpegPath);
        if (input.Kind is VideoInputKind.File or VideoInputKind.Device && !File.Exists(input.Location))
            throw new VideoInputException($"Video input '{input}' not found.");
        VideoStreamInfo? info = input.Kind == VideoInputKind.File && options.ProbeLocalFiles ? VideoProbe.Probe(input, ffmpeg) : null;
        return new FfmpegFrameSource(input, options, info, ffmpeg);
    }

    public VideoInput Input { get; }

    public VideoSourceOptions Options { get; }

    /// <summary>The probe result for local files (null for other inputs or when probing is off).</summary>
    public VideoStreamInfo? StreamInfo { get; }

    /// <summary>Output frames per second used for timestamps: the Fps option, the raw input rate, or the probed rate.</summary>
    public double? FrameRate { get; }

    /// <summary>The ffmpeg arguments in use (for logs and error reports).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Whole frames read from ffmpeg so far.</summary>
    public long FramesDecoded => Interlocked.Read(ref _framesDecoded);

    /// <summary>Frames decoded and waiting for the consumer now; never above the buffer capacity.</summary>
    public int BufferedFrames { get { lock (_bufferLock) return _buffered; } }

    /// <summary>The most frames that were ever waiting for the consumer at once.</summary>
    public int PeakBufferedFrames { get { lock (_bufferLock) return _peakBuffered; } }

    /// <summary>The ffmpeg process id (tests check that Dispose ends it).</summary>
    internal int ProcessId => _process.Id;

    /// <summary>What ffmpeg wrote to stderr so far (its first 8 KiB).</summary>
    public string ErrorOutput { get { lock (_errorOutput) return _errorOutput.ToString(); } }

    /// <summary>
    /// The frames, blocking while the next one is decoded. Ends when the input ends (or MaxFrames is reached); throws
    /// <see cref="VideoInputException"/> when ffmpeg fails, <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public IEnumerable<VideoFrame> ReadFrames(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryTake(out var frame))
            {
                yield return frame;
                continue;
            }
            var wait = _frames.Reader.WaitToReadAsync(cancellationToken);
            if (!(wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult()))
                break;
        }
        ThrowIfFailed();
    }

    /// <inheritdoc cref="ReadFrames"/>
    public async IAsyncEnumerable<VideoFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryTake(out var frame))
            {
                yield return frame;
                continue;
            }
            if (!await _frames.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                break;
        }
        ThrowIfFailed();
    }

    /// <summary>Kills ffmpeg if it still runs, waits for the decode thread, and returns buffered frames to the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        // Waiting reaps the process, so no ffmpeg (not even a zombie) outlives the source.
        _process.WaitForExit(JoinTimeout);
        _decodeThread.Join(JoinTimeout);
        _stderrDrain.Wait(JoinTimeout);
        // The pump may be blocked reading the caller's stream; it is a background thread and ends with that stream.
        _stdinPump?.Join(TimeSpan.FromSeconds(1));
        while (TryTake(out var frame))
            frame.Dispose();
        _process.Dispose();
        _stop.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void DecodeLoop()
    {
        var stdout = _process.StandardOutput.BaseStream;
        int frameBytes = Options.FrameBytes;
        long index = 0;
        bool killedAfterLimit = false;
        try
        {
            while (!_stop.IsCancellationRequested && (Options.MaxFrames is not { } max || index < max))
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(frameBytes);
                int read;
                try
                {
                    // ReadAtLeast loops over short pipe reads; fewer bytes means the stream ended (a partial last frame is dropped).
                    read = stdout.ReadAtLeast(buffer.AsSpan(0, frameBytes), frameBytes, throwOnEndOfStream: false);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException && _stop.IsCancellationRequested)
                {
                    read = 0;
                }
                if (read < frameBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                Interlocked.Increment(ref _framesDecoded);
                TimeSpan? timestamp = FrameRate is { } rate ? TimeSpan.FromSeconds(index / rate) : null;
                var frame = new VideoFrame(index, timestamp, Options.Width, Options.Height, buffer, ArrayPool<byte>.Shared);
                if (!Enqueue(frame))
                {
                    frame.Dispose();
                    break;
                }
                index++;
            }

            if (!_stop.IsCancellationRequested)
            {
                if (Options.MaxFrames is { } limit && index >= limit && !_process.HasExited)
                {
                    // ffmpeg stops by itself after -frames:v; wait briefly rather than trust that for every input.
                    if (!_process.WaitForExit(JoinTimeout))
                    {
                        _process.Kill(entireProcessTree: true);
                        killedAfterLimit = true;
                    }
                }
                _process.WaitForExit();
                _stderrDrain.Wait(JoinTimeout);
                if (_process.ExitCode != 0 && !_stop.IsCancellationRequested && !killedAfterLimit)
                {
                    string when = index == 0 ? "before producing any frames" : $"after {index} frames";
                    string reason = ErrorOutput.Trim();
                    _failure = new VideoInputException(
                        $"ffmpeg failed on video input '{Input}' {when} (exit code {_process.ExitCode}): " +
                        (reason.Length > 0 ? reason : "it gave no reason"));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    /// <summary>Queues a frame, waiting while the buffer is full; false once the source is stopping.</summary>
    private bool Enqueue(VideoFrame frame)
    {
        while (true)
        {
            // Counting under the same lock as TryTake keeps the counter equal to the queue length at every moment.
            lock (_bufferLock)
            {
                if (_frames.Writer.TryWrite(frame))
                {
                    _buffered++;
                    _peakBuffered = Math.Max(_peakBuffered, _buffered);
                    return true;
                }
            }
            if (!_frames.Writer.WaitToWriteAsync(_stop.Token).AsTask().GetAwaiter().GetResult())
                return false;
        }
    }

    private bool TryTake(out VideoFrame frame)
    {
        lock (_bufferLock)
        {
            if (!_frames.Reader.TryRead(out frame!))
                return false;
            _buffered--;
            return true;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
            ExceptionDispatchInfo.Throw(failure);
    }

    private async Task DrainErrorOutputAsync(StreamReader stderr)
    {
        // Keep reading past the limit: a full stderr pipe would block ffmpeg.
        var chunk = new char[1024];
        try
        {
            int count;
            while ((count = await stderr.ReadAsync(chunk).ConfigureAwait(false)) > 0)
                lock (_errorOutput)
                    if (_errorOutput.Length < ErrorOutputLimit)
                        _errorOutput.Append(chunk, 0, Math.Min(count, ErrorOutputLimit - _errorOutput.Length));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process; what was read is kept.
        }
    }

    private void PumpStandardInput(Stream source)
    {
        var stdin = _process.StandardInput.BaseStream;
        try
        {
            source.CopyTo(stdin);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // ffmpeg stopped reading (finished, failed or killed); the decode side reports what matters.
        }
        finally
        {
            try { stdin.Dispose(); } catch (IOException) { }
        }
    }
}
