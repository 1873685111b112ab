using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Streaming;

/// <summary>
/// The explicit state of a streaming model for a batch of B independent streams: an ordered map from the official state
/// names to tensors whose first dimension is the stream. Layers read their entries and replace them with new tensors; the
/// state owns its tensors (they live outside any dispose scope) and disposes a tensor when it is replaced.
/// Frame counts are int32 [B] (one per stream, so streams can join and leave a batch); for B = 1 that is the official [1].
/// </summary>
public sealed class StreamState : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors = new(StringComparer.Ordinal);
    private readonly List<string> order = [];

    /// <summary>Number of independent streams.</summary>
    public int BatchSize { get; }

    public StreamState(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "A stream state holds at least one stream.");
        BatchSize = batchSize;
    }

    /// <summary>A state with every specified tensor set to zero: the state before the first frame.</summary>
    public static StreamState Zeros(IEnumerable<StateSpec> specs, int batchSize)
    {
        var state = new StreamState(batchSize);
        foreach (var spec in specs)
        {
            if (spec.Shape.Length == 0 || spec.Shape[0] != batchSize)
                throw new ArgumentException($"State '{spec.Name}' is specified for {spec.Shape[0]} streams, not {batchSize}.");
            state.Set(spec.Name, torch.zeros(spec.Shape, spec.DType));
        }
        return state;
    }

    public IReadOnlyList<string> Names => order;
    public int Count => order.Count;
    public bool Contains(string name) => tensors.ContainsKey(name);
    public Tensor this[string name] => tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"The stream state has no tensor named '{name}'.");
    public bool TryGet(string name, out Tensor tensor) => tensors.TryGetValue(name, out tensor!);

    /// <summary>Stores <paramref name="tensor"/> under <paramref name="name"/>, taking ownership of it.</summary>
    public void Set(string name, Tensor tensor)
    {
        if (tensor.shape.Length == 0 || tensor.shape[0] != BatchSize)
            throw new ArgumentException($"State '{name}' must have {BatchSize} streams in its first dimension, got [{string.Join(", ", tensor.shape)}].");
        tensor.DetachFromDisposeScope();
        if (tensors.TryGetValue(name, out var previous))
        {
            if (!ReferenceEquals(previous, tensor)) previous.Dispose();
        }
        else order.Add(name);
        tensors[name] = tensor;
    }

    /// <summary>Total number of tensor elements; constant from frame to frame.</summary>
    public long ElementCount => order.Sum(n => tensors[n].numel());

    /// <summary>Bytes held by the state tensors (as if contiguous).</summary>
    public long Bytes => order.Sum(n => tensors[n].numel() * tensors[n].ElementSize);

    /// <summary>A deep copy (for snapshots).</summary>
    public StreamState Clone() => Map(t => t.clone());

    /// <summary>Stops gradients flowing into earlier sub-clips (stream-buffer training).</summary>
    public void DetachGradients()
    {
        foreach (var name in order.ToList()) Set(name, tensors[name].detach());
    }

    /// <summary>The states of streams <paramref name="streams"/> (in that order) as a new state.</summary>
    public StreamState Select(params int[] streams)
    {
        using var index = torch.tensor(streams.Select(s => (long)s).ToArray());
        var result = new StreamState(streams.Length);
        foreach (var name in order) result.Set(name, tensors[name].index_select(0, index));
        return result;
    }

    /// <summary>Joins the streams of several states into one batch (all must have the same names and per-stream shapes).</summary>
    public static StreamState Concatenate(IReadOnlyList<StreamState> states)
    {
        if (states.Count == 0) throw new ArgumentException("Nothing to concatenate.", nameof(states));
        var result = new StreamState(states.Sum(s => s.BatchSize));
        foreach (var name in states[0].order)
            result.Set(name, torch.cat(states.Select(s => s[name]).ToList(), 0));
        return result;
    }

    /// <summary>The tensors, contiguous and in the official layout, for saving or exporting.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> Entries() => order.Select(n => (n, tensors[n]));

    private StreamState Map(Func<Tensor, Tensor> transform)
    {
        var result = new StreamState(BatchSize);
        foreach (var name in order) result.Set(name, transform(tensors[name]));
        return result;
    }

    public void Dispose()
    {
        foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
        order.Clear();
    }
}
