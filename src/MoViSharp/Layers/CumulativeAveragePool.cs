using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// Causal global average pooling over time and space: output frame t is the mean over every frame seen so far (the stream's
/// start, or the clip's), [B, C, T, H, W] → [B, C, T, 1, 1]. State: the running sum of per-frame spatial means
/// (<c>sum</c>, [B, C]) and the frames seen (<c>count</c>, int32 [B], one per stream so streams can join a batch at any time).
/// </summary>
public sealed class CumulativeAveragePool() : StreamModule(nameof(CumulativeAveragePool))
{
    public const string SumName = "sum", CountName = "count";

    public string SumKey => StateKey(SumName);
    public string CountKey => StateKey(CountName);

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        long batch = x.shape[0], channels = x.shape[1], frames = x.shape[2];
        var sums = x.mean([3, 4]).cumsum(2);                                   // [B, C, T]
        Tensor? previousCount = null;
        if (state is not null && state.TryGet(SumKey, out var sum))
        {
            sums = sums.add(sum.view(batch, channels, 1), Scalars.One);
            previousCount = state[CountKey];
        }
        var steps = arange(1, frames + 1, dtype: ScalarType.Float32, device: x.device).view(1, 1, frames);
        var divisor = previousCount is null ? steps : steps.add(previousCount.to_type(ScalarType.Float32).view(batch, 1, 1), Scalars.One);
        var output = sums.div(divisor).unsqueeze(-1).unsqueeze(-1);
        if (state is not null && frames > 0)
        {
            state.Set(SumKey, sums.select(2, frames - 1).contiguous());
            state.Set(CountKey, previousCount is null
                ? full(batch, (int)frames, dtype: ScalarType.Int32)
                : AddFrames(previousCount, frames));
        }
        return output;
    }

    private static Tensor AddFrames(Tensor count, long frames)
    {
        using var n = frames.ToScalar();   // held during the call: see Scalars
        return count.add(n, Scalars.One).to_type(ScalarType.Int32);
    }

    public override TemporalProfile Temporal => TemporalProfile.Cumulative;

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        trace.AddState(new StateSpec(SumKey, [trace.BatchSize, input.Channels], ScalarType.Float32));
        trace.AddState(new StateSpec(CountKey, [trace.BatchSize], ScalarType.Int32));
        return input with { Height = 1, Width = 1 };
    }
}
