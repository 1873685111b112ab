using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// The temporal shift of TSM: a part of the channels is moved one frame along time, so the 2-D convolution after it mixes
/// neighbouring frames at no multiply-add and no parameter. With fold = C / <see cref="FoldDivisor"/> (integer division):
/// <see cref="TemporalShiftMode.Bidirectional"/> takes channels [0, fold) from frame t+1 and [fold, 2·fold) from frame t−1
/// (the offline TSM; receptive field 3, delay 1: in many-step calls output frame n−1 leaves at step n);
/// <see cref="TemporalShiftMode.Online"/> takes channels [0, fold) from frame t−1 only (the online TSM; causal, so one step at a
/// time equals the clip call). State: the last frames before this call (<see cref="Buffer"/>: two full frames offline, one frame
/// of the fold channels online).
/// </summary>
public sealed class TemporalShift : StreamModule
{
    private readonly StreamBuffer buffer;

    public TemporalShiftMode Mode { get; }
    /// <summary>1/<see cref="FoldDivisor"/> of the channels moves each way (TSM's shift_div, 8).</summary>
    public int FoldDivisor { get; }
    public StreamBuffer Buffer => buffer;

    public TemporalShift(TemporalShiftMode mode, int foldDivisor = 8) : base(nameof(TemporalShift))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(foldDivisor, 2);
        Mode = mode;
        FoldDivisor = foldDivisor;
        buffer = new StreamBuffer(mode == TemporalShiftMode.Online ? 1 : 2);
        register_module("buffer", buffer);
    }

    /// <summary>Channels moved in each direction for an input of <paramref name="channels"/> channels.</summary>
    public long Fold(long channels) => channels / FoldDivisor;

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        long channels = x.shape[1], frames = x.shape[2], fold = Fold(channels);
        if (fold == 0 || frames == 0) return x;
        if (Mode == TemporalShiftMode.Online)
        {
            // [previous frame (cache or zeros), frames 0 … T−1] of the fold channels; frame t takes index t.
            var moved = buffer.Forward(x.narrow(1, 0, fold), state).narrow(2, 0, frames);
            return cat([moved, x.narrow(1, fold, channels - fold)], 1);
        }
        if (state is null)
        {
            var future = cat([x.narrow(1, 0, fold).narrow(2, 1, frames - 1), ZeroFrame(x, fold)], 2);
            var past = cat([ZeroFrame(x, fold), x.narrow(1, fold, fold).narrow(2, 0, frames - 1)], 2);
            return cat([future, past, x.narrow(1, 2 * fold, channels - 2 * fold)], 1);
        }
        // Many steps: z = [frame −2, frame −1, new frames]; output j is centred on z[j+1] (input frame j−1 of this call).
        var z = buffer.Forward(x, state);
        return cat([z.narrow(1, 0, fold).narrow(2, 2, frames), z.narrow(1, fold, fold).narrow(2, 0, frames),
            z.narrow(1, 2 * fold, channels - 2 * fold).narrow(2, 1, frames)], 1);
    }

    private static Tensor ZeroFrame(Tensor x, long channels) =>
        zeros([x.shape[0], channels, 1, .. x.shape[3..]], dtype: x.dtype, device: x.device);

    public override TemporalProfile Temporal => Mode == TemporalShiftMode.Online ? new(2, 0, 1) : new(3, 1, 1);

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        // Moving data costs no multiply-add; only the cached frames are state.
        buffer.Trace(Mode == TemporalShiftMode.Online ? input with { Channels = Fold(input.Channels) } : input, trace);
        return input;
    }
}
