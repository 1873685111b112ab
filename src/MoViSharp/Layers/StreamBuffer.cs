using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// The stream buffer of a causal temporal convolution: the last k−1 input frames, prepended to each new sub-clip so that
/// the convolution can run with no temporal padding. An absent buffer is zeros, which is causal zero padding.
/// The state holds it in the official layout [B, k−1, H, W, C]; internally the model works on [B, C, T, H, W].
/// </summary>
public static class StreamBuffer
{
    /// <summary>Returns [buffer, x] along time and, when <paramref name="state"/> is given, stores the new buffer.</summary>
    public static Tensor Prepend(Tensor x, int bufferFrames, StreamState? state, string name)
    {
        if (bufferFrames == 0) return x;
        long batch = x.shape[0], channels = x.shape[1], frames = x.shape[2];
        Tensor previous = state is not null && state.TryGet(name, out var stored)
            ? stored.permute(0, 4, 1, 2, 3)
            : zeros([batch, channels, bufferFrames, x.shape[3], x.shape[4]], dtype: x.dtype, device: x.device);
        if (previous.shape[1] != channels || previous.shape[2] != bufferFrames || previous.shape[3] != x.shape[3] || previous.shape[4] != x.shape[4])
            throw new ArgumentException(
                $"State '{name}' has shape [{string.Join(", ", state![name].shape)}], expected [{batch}, {bufferFrames}, {x.shape[3]}, {x.shape[4]}, {channels}] for this input.");
        var full = cat([previous, x], 2);
        if (state is not null)
        {
            var last = full.narrow(2, frames, bufferFrames);
            // A long sub-clip would otherwise stay alive through this view; copy the few frames we keep.
            if (frames > bufferFrames) last = last.clone();
            state.Set(name, last.permute(0, 2, 3, 4, 1));
        }
        return full;
    }
}
