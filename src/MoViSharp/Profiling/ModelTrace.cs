using MoViSharp.Streaming;

namespace MoViSharp.Profiling;

/// <summary>
/// Walks a model symbolically (no tensors): each layer reports the multiply-adds of its convolutions and linear layers
/// (the X3D/fvcore convention: output elements × input channels per group × kernel volume) and the state tensors it owns.
/// </summary>
public sealed class ModelTrace(int batchSize)
{
    private readonly List<StateSpec> states = [];

    public int BatchSize { get; } = batchSize;
    public long MultiplyAdds { get; private set; }
    public IReadOnlyList<StateSpec> States => states;

    public void AddMultiplyAdds(long macs) => MultiplyAdds += macs;
    public void AddState(StateSpec spec) => states.Add(spec);
}
