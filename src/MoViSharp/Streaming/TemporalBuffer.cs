using TorchSharp;
using MoViSharp.Profiling;
using static TorchSharp.torch;

namespace MoViSharp.Streaming;

/// <summary>
/// The last n frames of an activation, kept in a <see cref="StreamState"/> entry as [B, C, n, …]: prepending them to the next
/// frames is what lets a temporal kernel run with no temporal padding in many-step calls. An absent entry is zeros (the fill).
/// Used by <see cref="Layers.StreamBuffer"/> and <see cref="Containers.Delay"/>.
/// </summary>
public static class TemporalBuffer
{
    /// <summary>The state key counting frames seen per stream, kept beside buffers whose fill is not zeros.</summary>
    public static string SeenKey(string key) => key + ".seen";

    /// <summary>
    /// Returns [buffer, x] along time and stores the last <paramref name="frames"/> frames of it under <paramref name="key"/>.
    /// For a stream that has seen no frame yet the buffer is <paramref name="fill"/> (zeros need no bookkeeping; the other fills
    /// count frames per stream under <see cref="SeenKey"/>, so streams joining a batch later still start from their own fill).
    /// </summary>
    public static Tensor Prepend(Tensor x, int frames, StreamState state, string key, TemporalFill fill = TemporalFill.Zeros)
    {
        if (frames == 0) return x;
        long count = x.shape[2];
        var expected = x.shape.ToArray();
        expected[2] = frames;
        Tensor previous;
        if (state.TryGet(key, out var stored))
        {
            if (!stored.shape.SequenceEqual(expected))
                throw new ArgumentException($"State '{key}' has shape [{string.Join(", ", stored.shape)}], expected [{string.Join(", ", expected)}] for this input.");
            previous = stored;
        }
        else previous = zeros(expected, dtype: x.dtype, device: x.device);
        if (fill != TemporalFill.Zeros) previous = Filled(previous, x, state, SeenKey(key), fill);
        var full = cat([previous, x], 2);
        var last = full.narrow(2, count, frames);
        // A copy: the view would keep the whole concatenation alive.
        state.Set(key, last.clone());
        return full;
    }

    /// <summary>The fill before the first frame of a stream (clip calls and fresh streams).</summary>
    public static Tensor Fill(Tensor x, int frames, TemporalFill fill)
    {
        var shape = x.shape.ToArray();
        shape[2] = frames;
        return fill switch
        {
            TemporalFill.Zeros => zeros(shape, dtype: x.dtype, device: x.device),
            TemporalFill.Replicate => x.narrow(2, 0, 1).expand(shape).contiguous(),
            TemporalFill.NegativeInfinity => full(shape, double.NegativeInfinity, dtype: x.dtype, device: x.device),
            _ => throw new ArgumentOutOfRangeException(nameof(fill), fill, null),
        };
    }

    private static Tensor Filled(Tensor previous, Tensor x, StreamState state, string seenKey, TemporalFill fill)
    {
        long batch = x.shape[0];
        var seen = state.TryGet(seenKey, out var s) ? s : zeros(batch, dtype: ScalarType.Int32, device: x.device);
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
        shape[0] = batch;
        var fresh = seen.eq(0).view(shape);
        using (var frames = x.shape[2].ToScalar())   // held during the call: see Scalars
            state.Set(seenKey, seen.add(frames, Scalars.One).to_type(ScalarType.Int32));
        return where(fresh, Fill(x, (int)previous.shape[2], fill), previous);
    }

    public static StateSpec Spec(string key, int batch, int frames, VideoShape input)
    {
        var shape = new List<long> { batch, input.Channels, frames };
        if (input.Height > 0) shape.AddRange([input.Height, input.Width]);
        return new StateSpec(key, [.. shape], TorchSharp.torch.ScalarType.Float32);
    }
}
