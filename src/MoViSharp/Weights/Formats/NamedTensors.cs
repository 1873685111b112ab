using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// What a checkpoint format reads and writes: an ordered map from tensor name to tensor (insertion order is kept),
/// plus free-form string metadata. It owns its tensors: every tensor added is detached from any dispose scope,
/// and <see cref="Dispose"/> disposes all that are still held. Tensors held here are always on the CPU and contiguous.
/// </summary>
public sealed class NamedTensors : IReadOnlyCollection<KeyValuePair<string, Tensor>>, IDisposable
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata;
    private bool _disposed;

    /// <summary>Creates an empty map with the given metadata (copied), or none.</summary>
    public NamedTensors(IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        _metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                _metadata[key] = value;
    }

    /// <summary>Free-form string metadata (safetensors <c>__metadata__</c>); empty when the source has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>Number of tensors.</summary>
    public int Count => _order.Count;

    /// <summary>Tensor names in insertion order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>The tensor named <paramref name="name"/>; it stays owned by this map.</summary>
    public Tensor this[string name]
    {
        get
        {
            ThrowIfDisposed();
            return _tensors.TryGetValue(name, out var tensor)
                ? tensor
                : throw new KeyNotFoundException($"No tensor named '{name}' (have {_order.Count}).");
        }
    }

    public bool ContainsName(string name) => _tensors.ContainsKey(name);

    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor tensor)
    {
        ThrowIfDisposed();
        return _tensors.TryGetValue(name, out tensor);
    }

    /// <summary>Sets or replaces a metadata entry.</summary>
    public void SetMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
    }

    /// <summary>
    /// Adds <paramref name="tensor"/> under <paramref name="name"/> and takes ownership of it (it is detached from any dispose scope).
    /// The tensor must be a CPU, contiguous tensor; names must be unique.
    /// </summary>
    public void Add(string name, Tensor tensor)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (_tensors.ContainsKey(name))
            throw new ArgumentException($"A tensor named '{name}' is already present.", nameof(name));
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"Tensor '{name}' is on {tensor.device}; only CPU tensors can be held (call .cpu() first).", nameof(tensor));
        if (!tensor.is_contiguous())
            throw new ArgumentException($"Tensor '{name}' is not contiguous (call .contiguous() first).", nameof(tensor));
        tensor.DetachFromDisposeScope();
        _order.Add(name);
        _tensors.Add(name, tensor);
    }

    /// <summary>Removes the tensor named <paramref name="name"/> and hands its ownership to the caller.</summary>
    public Tensor Take(string name)
    {
        ThrowIfDisposed();
        if (!_tensors.Remove(name, out var tensor))
            throw new KeyNotFoundException($"No tensor named '{name}'.");
        _order.Remove(name);
        return tensor;
    }

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
    {
        ThrowIfDisposed();
        foreach (var name in _order)
            yield return new KeyValuePair<string, Tensor>(name, _tensors[name]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor still held.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var tensor in _tensors.Values)
            tensor.Dispose();
        _tensors.Clear();
        _order.Clear();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
