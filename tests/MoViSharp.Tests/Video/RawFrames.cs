namespace MoViSharp.Tests.Video;

/// <summary>Raw rgb24 test frames and streams of them.</summary>
internal static class RawFrames
{
    /// <summary><paramref name="count"/> frames of <paramref name="width"/>×<paramref name="height"/> where every byte of frame i is <c>i*10</c>.</summary>
    public static byte[] IndexEncoded(int count, int width, int height)
    {
        int frame = width * height * 3;
        var bytes = new byte[count * frame];
        for (int i = 0; i < count; i++)
            bytes.AsSpan(i * frame, frame).Fill((byte)(i * 10));
        return bytes;
    }
}

/// <summary>An endless stream of raw grey frames: a live camera that never ends, for back-pressure and dispose tests.</summary>
internal sealed class EndlessStream : Stream
{
    private long _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        for (int i = 0; i < count; i++)
            buffer[offset + i] = (byte)(_position++ % 251);
        return count;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
