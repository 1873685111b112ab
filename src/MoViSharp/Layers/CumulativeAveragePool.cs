using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// Global average pooling over space and time. Causal form: the output at frame t is the mean over all frames seen so far
/// (since reset), kept in the state as a running sum of per-frame spatial means (<c>_pool_buffer</c>, official [B,1,1,1,C])
/// and a frame count (<c>_pool_frame_count</c>, int32, one per stream).
/// </summary>
public static class CumulativeAveragePool
{
    /// <summary>[B, C, T, H, W] → [B, C, T, 1, 1]: the running mean after each frame.</summary>
    public static Tensor Causal(Tensor x, StreamState? state, string prefix)
    {
        long batch = x.shape[0], channels = x.shape[1], frames = x.shape[2];
        string bufferName = StateNames.PoolBuffer(prefix), countName = StateNames.PoolFrameCount(prefix);
        var sums = x.mean([3, 4]).cumsum(2);                                   // [B, C, T]
        Tensor? previousCount = null;
        if (state is not null && state.TryGet(bufferName, out var buffer))
        {
            sums = sums.add(buffer.reshape(batch, channels, 1));
            previousCount = state[countName];
        }
        var steps = arange(1, frames + 1, dtype: ScalarType.Float32, device: x.device).view(1, 1, frames);
        var divisor = previousCount is null ? steps : steps.add(previousCount.to_type(ScalarType.Float32).view(batch, 1, 1));
        var output = sums.div(divisor).unsqueeze(-1).unsqueeze(-1);
        if (state is not null)
        {
            state.Set(bufferName, sums.select(2, frames - 1).reshape(batch, 1, 1, 1, channels));
            state.Set(countName, previousCount is null
                ? full(batch, (int)frames, dtype: ScalarType.Int32)
                : previousCount.add(frames).to_type(ScalarType.Int32));
        }
        return output;
    }

    /// <summary>[B, C, T, H, W] → [B, C, 1, 1, 1]: the plain global average (non-causal models).</summary>
    public static Tensor Global(Tensor x) => x.mean([2, 3, 4], keepdim: true);

    public static void TraceState(string prefix, long channels, ModelTrace trace)
    {
        trace.AddState(new StateSpec(StateNames.PoolBuffer(prefix), [trace.BatchSize, 1, 1, 1, channels], ScalarType.Float32));
        trace.AddState(new StateSpec(StateNames.PoolFrameCount(prefix), [trace.BatchSize], ScalarType.Int32));
    }
}
