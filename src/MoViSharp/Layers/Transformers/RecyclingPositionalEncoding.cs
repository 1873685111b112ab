using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Layers.Transformers;

/// <summary>
/// Learned positional embeddings indexed cyclically (continual transformers' recycling encoding): the token of frame t gets
/// embedding t mod <see cref="Positions"/>, so a stream of any length uses a fixed table and a sliding window always sees
/// consecutive, distinct positions when Positions ≥ the window (the paper's example: 2·window − 1). On [B, C, T, 1, 1]; state:
/// the frames seen (<c>count</c>, int32 [B]).
/// </summary>
public sealed class RecyclingPositionalEncoding : StreamModule
{
    private readonly Parameter embeddings;        // [Positions, C]

    public int Positions { get; }
    public string CountKey => StateKey("count");

    public RecyclingPositionalEncoding(int positions, int channels) : base(nameof(RecyclingPositionalEncoding))
    {
        Positions = positions;
        embeddings = new Parameter(randn(positions, channels).mul(0.02));
        register_parameter("embeddings", embeddings);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        long batch = x.shape[0], frames = x.shape[2];
        var start = state is not null && state.TryGet(CountKey, out var count) ? count.to_type(ScalarType.Int64) : zeros(batch, dtype: ScalarType.Int64, device: x.device);
        var index = start.view(batch, 1).add(arange(frames, device: x.device).view(1, frames)).remainder(Positions);     // [B, T]
        var table = embeddings.index_select(0, index.flatten()).view(batch, frames, -1).transpose(1, 2);                   // [B, C, T]
        if (state is not null) state.Set(CountKey, start.add(frames).to_type(ScalarType.Int32));
        return x.add(table.unsqueeze(-1).unsqueeze(-1));
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        trace.AddState(new StateSpec(CountKey, [trace.BatchSize], ScalarType.Int32));
        return input;
    }
}
