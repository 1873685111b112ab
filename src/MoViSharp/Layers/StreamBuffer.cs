using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// The stream buffer of a temporal kernel: returns its input with the <see cref="Frames"/> frames before it prepended — zeros
/// at the start of a stream or in a clip call (causal zero padding), the frames carried in the state in many-step calls — so
/// the kernel after it runs with no temporal padding. Its output has <see cref="Frames"/> more frames than its input; it is a
/// part of a temporal layer (<see cref="ConvUnit"/>, pools), not a layer of its own. State: [B, C, Frames, H, W] (and a frame
/// count per stream when the <see cref="Fill"/> is not zeros).
/// </summary>
public sealed class StreamBuffer : StreamModule
{
    public int Frames { get; }

    /// <summary>What stands for the frames before the first (zeros unless a continual conversion chooses otherwise).</summary>
    public TemporalFill Fill { get; set; }

    public StreamBuffer(int frames, TemporalFill fill = TemporalFill.Zeros) : base(nameof(StreamBuffer))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        Frames = frames;
        Fill = fill;
    }

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        if (Frames == 0) return input;
        if (state is not null) return TemporalBuffer.Prepend(input, Frames, state, StateKey(), Fill);
        return cat([TemporalBuffer.Fill(input, Frames, Fill), input], 2);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        if (Frames > 0)
        {
            trace.AddState(TemporalBuffer.Spec(StateKey(), trace.BatchSize, Frames, input));
            if (Fill != TemporalFill.Zeros)
                trace.AddState(new StateSpec(TemporalBuffer.SeenKey(StateKey()), [trace.BatchSize], TorchSharp.torch.ScalarType.Int32));
        }
        return input with { Frames = input.Frames + Frames };
    }
}
