using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.TSM;

/// <summary>
/// The temporal shift against its definition (TSM's offline shift: fold channels from t+1, the next fold from t−1, zeros past
/// the clip; the online shift: fold channels from t−1), and its streaming: offline with one frame of delay, online with none.
/// </summary>
public sealed class TemporalShiftTests
{
    private static Tensor Clip(int frames, int channels = 17) =>
        arange(2L * channels * frames * 2 * 3, dtype: ScalarType.Float32).reshape(2, channels, frames, 2, 3).add(1);

    /// <summary>Frame t of channel range [from, to) of x, or zeros when t is outside the clip.</summary>
    private static Tensor FrameOrZero(Tensor x, long t, long from, long to) =>
        t < 0 || t >= x.shape[2] ? zeros([x.shape[0], to - from, x.shape[3], x.shape[4]]) : x.select(2, t).narrow(1, from, to - from);

    [Fact]
    public void OfflineShiftMovesOneEighthFromTheNextFrameAndOneEighthFromThePrevious()
    {
        using var scope = NewDisposeScope();
        var x = Clip(5);                       // 17 channels: fold = 2
        var y = new TemporalShift(TemporalShiftMode.Bidirectional).forward(x);
        Assert.Equal(x.shape, y.shape);
        for (long t = 0; t < 5; t++)
        {
            Assert.True(y.select(2, t).narrow(1, 0, 2).IsSame(FrameOrZero(x, t + 1, 0, 2)), $"future channels at {t}");
            Assert.True(y.select(2, t).narrow(1, 2, 2).IsSame(FrameOrZero(x, t - 1, 2, 4)), $"past channels at {t}");
            Assert.True(y.select(2, t).narrow(1, 4, 13).IsSame(x.select(2, t).narrow(1, 4, 13)), $"unshifted channels at {t}");
        }
    }

    [Fact]
    public void OnlineShiftTakesOneEighthFromThePreviousFrameOnly()
    {
        using var scope = NewDisposeScope();
        var x = Clip(5, channels: 16);
        var y = new TemporalShift(TemporalShiftMode.Online).forward(x);
        for (long t = 0; t < 5; t++)
        {
            Assert.True(y.select(2, t).narrow(1, 0, 2).IsSame(FrameOrZero(x, t - 1, 0, 2)), $"cached channels at {t}");
            Assert.True(y.select(2, t).narrow(1, 2, 14).IsSame(x.select(2, t).narrow(1, 2, 14)), $"current channels at {t}");
        }
    }

    [Fact]
    public void OnlineStepsEqualTheClipCallFrameByFrame()
    {
        using var scope = NewDisposeScope();
        var shift = new TemporalShift(TemporalShiftMode.Online);
        shift.AssignStatePaths();
        var x = Clip(6, channels: 24);
        var clip = shift.forward(x);
        var state = new StreamState(2);
        var steps = Enumerable.Range(0, 6).Select(t => shift.Step(x.select(2, t), state)!).ToList();
        Assert.True(stack(steps, 2).IsSame(clip));
        // Chunks of any length continue the same state.
        var chunked = new StreamState(2);
        Assert.True(cat([shift.Forward(x.narrow(2, 0, 4), chunked), shift.Forward(x.narrow(2, 4, 2), chunked)], 2).IsSame(clip));
        Assert.Equal(new TemporalProfile(2, 0, 1), shift.Temporal);
    }

    [Fact]
    public void OfflineStepsEmitTheClipFramesOneFrameLate()
    {
        using var scope = NewDisposeScope();
        var shift = new TemporalShift(TemporalShiftMode.Bidirectional);
        shift.AssignStatePaths();
        var x = Clip(5);
        var clip = shift.forward(x);
        // The clip saw zeros after its last frame: a stream sees them when a zero frame follows.
        var stream = cat([x, zeros_like(x.narrow(2, 0, 1))], 2);
        var state = new StreamState(2);
        var steps = Enumerable.Range(0, 6).Select(t => shift.Step(stream.select(2, t), state)!).ToList();
        Assert.True(stack(steps.Skip(1), 2).IsSame(clip));   // step n emits clip frame n − 1 (delay 1)
        var chunked = new StreamState(2);
        var many = cat([shift.Forward(stream.narrow(2, 0, 2), chunked), shift.Forward(stream.narrow(2, 2, 4), chunked)], 2);
        Assert.True(many.narrow(2, 1, 5).IsSame(clip));
        Assert.Equal(new TemporalProfile(3, 1, 1), shift.Temporal);
    }

    [Fact]
    public void TraceCountsNoMultiplyAddsAndDeclaresTheCache()
    {
        var online = new TemporalShift(TemporalShiftMode.Online);
        online.AssignStatePaths();
        var trace = new ModelTrace(1);
        Assert.Equal(new VideoShape(64, 8, 14, 14), online.Trace(new VideoShape(64, 8, 14, 14), trace));
        Assert.Equal(0, trace.MultiplyAdds);
        var cache = Assert.Single(trace.States);
        Assert.Equal([1L, 8, 1, 14, 14], cache.Shape);      // one frame of C/8 channels
        var offline = new TemporalShift(TemporalShiftMode.Bidirectional);
        offline.AssignStatePaths();
        var offlineTrace = new ModelTrace(1);
        offline.Trace(new VideoShape(64, 8, 14, 14), offlineTrace);
        Assert.Equal([1L, 64, 2, 14, 14], Assert.Single(offlineTrace.States).Shape);
    }

    [Fact]
    public void FewerChannelsThanTheDivisorPassThrough()
    {
        using var scope = NewDisposeScope();
        var x = Clip(3, channels: 7);
        Assert.True(new TemporalShift(TemporalShiftMode.Bidirectional).forward(x).IsSame(x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemporalShift(TemporalShiftMode.Online, foldDivisor: 1));
    }
}

internal static class TensorSameness
{
    /// <summary>Same shape and every value equal.</summary>
    public static bool IsSame(this Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
