using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>A <see cref="CumulativeAveragePool"/> for one frame: the spatial mean added to a running sum [B, C], divided by the frames seen.</summary>
public sealed class RunningMeanPool : CompiledModule
{
    private readonly int sumSlot, countSlot;
    private readonly string sumKey, countKey;

    public RunningMeanPool(CumulativeAveragePool pool, VideoShape input, CompileContext context)
        : base(input, input with { Height = 1, Width = 1 })
    {
        (sumKey, countKey) = (pool.SumKey, pool.CountKey);
        sumSlot = context.ReserveSlot();
        countSlot = context.ReserveSlot();
    }

    public override void InitState(CompiledState state)
    {
        state.Set(sumSlot, zeros(state.BatchSize, Input.Channels));
        state.Set(countSlot, zeros(state.BatchSize, 1));
    }

    public override Tensor Step(Tensor x, CompiledState state)
    {
        var sum = state.Tensor(sumSlot);
        var count = state.Tensor(countSlot);
        sum.add_(x.mean([2, 3], false, null), Scalars.One);
        count.add_(Scalars.One, Scalars.One);
        return sum.div(count).view(x.shape[0], Input.Channels, 1, 1);
    }

    public override void ExportState(CompiledState state, StreamState into)
    {
        into.Set(sumKey, state.Tensor(sumSlot).clone());
        into.Set(countKey, state.Tensor(countSlot).view(-1).to_type(ScalarType.Int32));
    }

    public override void ImportState(StreamState from, CompiledState state)
    {
        state.Set(sumSlot, from[sumKey].reshape(-1, Input.Channels).to_type(ScalarType.Float32).clone());
        state.Set(countSlot, from[countKey].to_type(ScalarType.Float32).view(-1, 1).clone());
    }
}
