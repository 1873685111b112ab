using System.Buffers;
using TorchSharp;

namespace MoViSharp.Video;

/// <summary>
/// One decoded frame: interleaved rgb24 bytes in height×width×3 (HWC) order. Dispose it when done so that its buffer
/// goes back to the pool; a frame that is never disposed is simply collected.
/// </summary>
public sealed class VideoFrame : IDisposable
{
    private byte[]? _buffer;
    private readonly ArrayPool<byte>? _pool;

    /// <summary>A frame over caller-owned bytes (<paramref name="rgb"/> must hold at least width×height×3 bytes).</summary>
    public VideoFrame(long index, TimeSpan? timestamp, int width, int height, byte[] rgb)
        : this(index, timestamp, width, height, rgb, pool: null)
    {
    }

    internal VideoFrame(long index, TimeSpan? timestamp, int width, int height, byte[] buffer, ArrayPool<byte>? pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (buffer.Length < width * height * 3)
            throw new ArgumentException($"A {width}x{height} rgb24 frame needs {width * height * 3} bytes, got {buffer.Length}.", nameof(buffer));
        Index = index;
        Timestamp = timestamp;
        Width = width;
        Height = height;
        _buffer = buffer;
        _pool = pool;
    }

    /// <summary>Position of the frame in the output sequence, from 0.</summary>
    public long Index { get; }

    /// <summary>Index divided by the output frame rate, when the rate is known.</summary>
    public TimeSpan? Timestamp { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The pixels: Height×Width×3 bytes, row by row, R G B per pixel.</summary>
    public ReadOnlySpan<byte> Rgb => RgbMemory.Span;

    /// <inheritdoc cref="Rgb"/>
    public ReadOnlyMemory<byte> RgbMemory =>
        (_buffer ?? throw new ObjectDisposedException(nameof(VideoFrame), $"Frame {Index} was disposed.")).AsMemory(0, Width * Height * 3);

    /// <summary>Writes the frame as floats in [0,1], channel-major (3×H×W), into <paramref name="chw"/>.</summary>
    public void CopyToChw(Span<float> chw) => FrameConversion.ToChwFloat(Rgb, chw, Width, Height);

    /// <summary>A float32 tensor [1,3,1,H,W] (batch, channel, time, height, width) with values in [0,1].</summary>
    public torch.Tensor ToTensor() => FrameConversion.ToTensor(this);

    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
            _pool?.Return(buffer);
    }
}
