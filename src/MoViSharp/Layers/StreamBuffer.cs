using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// The stream buffer of a temporal kernel: returns its input with the <see cref="Frames"/> frames before it prepended — zeros
/// at the start of a stream or in a clip call (causal zero padding), the frames carried in the state in many-step calls — so
/// the kernel after it runs with no temporal padding. Its output has <see cref="Frames"/> more frames than its input; it is a
/// part of a temporal layer (<see cref="ConvUnit"/>), not a layer of its own. State: [B, C, Frames, H, W].
/// </summary>
public sealed class StreamBuffer : StreamModule
{
    public int Frames { get; }

    public StreamBuffer(int frames) : base(nameof(StreamBuffer))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        Frames = frames;
    }

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        if (Frames == 0) return input;
        if (state is not null) return TemporalBuffer.Prepend(input, Frames, state, StateKey());
        var shape = input.shape.ToArray();
        shape[2] = Frames;
        return cat([zeros(shape, dtype: input.dtype, device: input.device), input], 2);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        if (Frames > 0) trace.AddState(TemporalBuffer.Spec(StateKey(), trace.BatchSize, Frames, input));
        return input with { Frames = input.Frames + Frames };
    }
}
