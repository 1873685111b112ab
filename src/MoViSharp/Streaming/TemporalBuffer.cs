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
    /// <summary>Returns [buffer, x] along time and stores the last <paramref name="frames"/> frames of it under <paramref name="key"/>.</summary>
    public static Tensor Prepend(Tensor x, int frames, StreamState state, string key)
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
        var full = cat([previous, x], 2);
        var last = full.narrow(2, count, frames);
        // A copy: the view would keep the whole concatenation alive.
        state.Set(key, last.clone());
        return full;
    }

    public static StateSpec Spec(string key, int batch, int frames, VideoShape input)
    {
        var shape = new List<long> { batch, input.Channels, frames };
        if (input.Height > 0) shape.AddRange([input.Height, input.Width]);
        return new StateSpec(key, [.. shape], TorchSharp.torch.ScalarType.Float32);
    }
}
