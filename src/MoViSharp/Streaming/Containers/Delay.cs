using MoViSharp.Profiling;
using static TorchSharp.torch;

namespace MoViSharp.Streaming.Containers;

/// <summary>
/// Holds frames back by <see cref="Frames"/> steps: in many-step calls output n is input n − d (zeros for the first d steps,
/// a ring of d frames in the state); in the clip call it is the identity. Containers insert it to align the delays of parallel
/// branches (a residual's shortcut against its branch), so that frame n of every branch refers to the same input frame.
/// </summary>
public sealed class Delay : StreamModule
{
    public int Frames { get; }

    /// <summary>What the first <see cref="Frames"/> outputs are (zeros, or the first frame under the replicate fill).</summary>
    public TemporalFill Fill { get; set; }

    public Delay(int frames) : base(nameof(Delay))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        Frames = frames;
    }

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        if (state is null || Frames == 0) return input;
        long frames = input.shape[2];
        var full = TemporalBuffer.Prepend(input, Frames, state, StateKey(), Fill);
        return full.narrow(2, 0, frames);
    }

    public override TemporalProfile Temporal => new(1, Frames, 1);

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        if (Frames > 0) trace.AddState(TemporalBuffer.Spec(StateKey(), trace.BatchSize, Frames, input));
        if (Frames > 0 && Fill != TemporalFill.Zeros)
            trace.AddState(new StateSpec(TemporalBuffer.SeenKey(StateKey()), [trace.BatchSize], TorchSharp.torch.ScalarType.Int32));
        return input;
    }
}
