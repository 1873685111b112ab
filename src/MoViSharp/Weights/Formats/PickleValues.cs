namespace MoViSharp.Weights.Formats;

// The values the restricted unpickler can produce. Python scalars map to C# ones
// (str → string, int → long, float → double, bool → bool, None → null, bytes → byte[]);
// containers and references to allowed globals get the small types below. Nothing here can run code.

/// <summary>A Python tuple.</summary>
internal sealed record PickleTuple(IReadOnlyList<object?> Items)
{
    public static readonly PickleTuple Empty = new(Array.Empty<object?>());
    public int Count => Items.Count;
    public object? this[int index] => Items[index];
}

/// <summary>A Python list.</summary>
internal sealed class PickleList : List<object?>;

/// <summary>A Python dict or <c>collections.OrderedDict</c>; keeps insertion order, and a later value for an equal str key replaces the earlier one.</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _entries = [];
    private readonly Dictionary<string, int> _stringKeys = new(StringComparer.Ordinal);

    public bool IsOrderedDict { get; init; }

    /// <summary>State given by a BUILD opcode (an OrderedDict's <c>_metadata</c> attribute, say); kept, never interpreted.</summary>
    public object? BuildState { get; set; }

    public int Count => _entries.Count;

    public IReadOnlyList<KeyValuePair<object, object?>> Entries => _entries;

    public void Set(object key, object? value)
    {
        if (key is string s)
        {
            if (_stringKeys.TryGetValue(s, out int at))
            {
                _entries[at] = new(key, value);
                return;
            }
            _stringKeys.Add(s, _entries.Count);
        }
        _entries.Add(new(key, value));
    }

    public bool TryGet(string key, out object? value)
    {
        if (_stringKeys.TryGetValue(key, out int at))
        {
            value = _entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }
}

/// <summary>A reference to a global (module + name) the host has allowed; it is only ever called through the host's own builders.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}

/// <summary>What the unpickler asks of the code that uses it: which globals exist, what calling them yields, what persistent ids load as.</summary>
internal interface IPickleHost
{
    /// <summary>Returns the object for an allowed global, or throws <see cref="CheckpointFormatException"/> for any other.</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>The result of REDUCE: applying <paramref name="callable"/> (something <see cref="ResolveGlobal"/> returned) to <paramref name="args"/>.</summary>
    object? Call(object? callable, PickleTuple args);

    /// <summary>The object a persistent id stands for.</summary>
    object? PersistentLoad(object? persistentId);
}
