using MoViSharp.Classification;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// The state of B streams in a compiled model: one slot per stateful compiled module (a tensor such as a ring buffer or a running
/// sum, or a plain <see cref="StreamState"/> for modules that run unfused), plus a ring position per slot. The tensors live
/// outside any dispose scope; a slot's tensor is disposed when replaced and when the state is disposed.
/// </summary>
public sealed class CompiledState : IClassifierState
{
    private readonly object?[] slots;
    private readonly int[] heads;

    internal CompiledGraph Graph { get; }
    public int BatchSize { get; }
    public int Height => Graph.Height;
    public int Width => Graph.Width;

    internal CompiledState(CompiledGraph graph, int batchSize)
    {
        Graph = graph;
        BatchSize = batchSize;
        slots = new object?[graph.SlotCount];
        heads = new int[graph.SlotCount];
    }

    internal Tensor Tensor(int slot) => slots[slot] as Tensor ?? throw new InvalidOperationException($"State slot {slot} holds no tensor.");

    internal StreamState Plain(int slot) => slots[slot] as StreamState ?? throw new InvalidOperationException($"State slot {slot} holds no plain state.");

    /// <summary>Stores <paramref name="value"/> (taking ownership, out of any dispose scope), disposing what the slot held.</summary>
    internal void Set(int slot, object value)
    {
        if (value is Tensor t) t.DetachFromDisposeScope();
        if (!ReferenceEquals(slots[slot], value)) (slots[slot] as IDisposable)?.Dispose();
        slots[slot] = value;
    }

    internal ref int Head(int slot) => ref heads[slot];

    public void Dispose()
    {
        for (int i = 0; i < slots.Length; i++)
        {
            (slots[i] as IDisposable)?.Dispose();
            slots[i] = null;
        }
    }
}
