using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>A storage named by a persistent id: <c>('storage', torch.XStorage, key, location, numel[, view])</c>.</summary>
internal sealed record StorageRef(string Key, ScalarType ElementType, string Location, long Numel);

/// <summary>
/// The part of a storage a tensor sees: the whole storage, or (legacy files of PyTorch &lt; 0.4) a storage view
/// <c>[Offset, Offset + Numel)</c> of it.
/// </summary>
internal sealed record StorageSlice(StorageRef Storage, long Offset, long Numel);

/// <summary>A tensor described by <c>torch._utils._rebuild_tensor_v2</c>; nothing is allocated until the whole pickle has been checked.</summary>
internal sealed record TensorRef(StorageSlice Storage, long Offset, long[] Size, long[] Stride);

/// <summary>How a checkpoint's pickle names storages: the zip format's 5-tuples, or the legacy format's 6-tuples with a view.</summary>
internal enum TorchPersistentIds { Zip, Legacy }

/// <summary>
/// The only globals a <c>torch.save</c> state dict may name, and our own C# stand-ins for them:
/// <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c> (and the older <c>_rebuild_tensor</c>),
/// <c>torch._utils._rebuild_parameter</c> (and <c>_rebuild_parameter_with_state</c>), and the typed storage classes
/// <c>torch.FloatStorage</c> etc. Every other global is refused the moment it is named, before anything could use it.
/// Every storage key must name one storage: the same element type and size wherever it appears.
/// </summary>
internal sealed class TorchPickleHost(string fileName, string field, TorchCheckpointLimits limits, TorchPersistentIds ids) : IPickleHost
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildTensor = new("torch._utils", "_rebuild_tensor");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");
    private static readonly PickleGlobal RebuildParameterWithState = new("torch._utils", "_rebuild_parameter_with_state");

    private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);

    /// <summary>Every storage the pickle named, by key, in the order first named.</summary>
    public IReadOnlyDictionary<string, StorageRef> Storages => _storages;

    public object ResolveGlobal(string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (global == OrderedDict || global == RebuildTensorV2 || global == RebuildTensor || global == RebuildParameter || global == RebuildParameterWithState)
            return global;
        if (module == "torch" && TensorElementTypes.FromTorchStorageClass(name) is not null)
            return global;
        throw new CheckpointFormatException(fileName, field,
            $"{field}: refuses the global '{global.FullName}'; a checkpoint may only name tensor, storage and OrderedDict constructors " +
            "(nothing in it was run).");
    }

    public object? Call(object? callable, PickleTuple args)
    {
        if (callable is not PickleGlobal global)
            throw Fail($"cannot call a {RestrictedUnpickler.Describe(callable)}");
        if (global == OrderedDict)
        {
            if (args.Count != 0)
                throw Fail("collections.OrderedDict is called with arguments; only OrderedDict() is supported");
            return new PickleDict { IsOrderedDict = true };
        }
        if (global == RebuildTensorV2)
        {
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (args.Count is not (6 or 7) || args[4] is not bool)
                throw Fail($"_rebuild_tensor_v2 expects (storage, offset, size, stride, requires_grad, hooks[, metadata]), got {DescribeArgs(args)}");
            return Tensor(global, args);
        }
        if (global == RebuildTensor)
        {
            // PyTorch 0.3: (storage, storage_offset, size, stride)
            if (args.Count != 4)
                throw Fail($"_rebuild_tensor expects (storage, offset, size, stride), got {DescribeArgs(args)}");
            return Tensor(global, args);
        }
        if (global == RebuildParameter || global == RebuildParameterWithState)
        {
            int expected = global == RebuildParameter ? 3 : 4;
            if (args.Count != expected || args[0] is not TensorRef tensor)
                throw Fail($"{global.FullName} expects ({(expected == 3 ? "tensor, requires_grad, hooks" : "tensor, requires_grad, hooks, state")}), got {DescribeArgs(args)}");
            return tensor;
        }
        throw Fail($"{global.FullName} cannot be called");
    }

    public object? PersistentLoad(object? persistentId)
    {
        int count = ids == TorchPersistentIds.Zip ? 5 : 6;
        string form = ids == TorchPersistentIds.Zip ? "('storage', type, key, location, numel)" : "('storage', type, key, location, numel, view)";
        if (persistentId is not PickleTuple id || id.Count != count || id[0] is not "storage")
        {
            if (persistentId is PickleTuple { Count: > 0 } other && other[0] is "module")
                throw new CheckpointNotSupportedException(fileName, field,
                    $"{field}: the checkpoint pickles a whole nn.Module (torch.save(model)), which cannot be read without running its code; save model.state_dict() instead.");
            throw Fail($"persistent id {DescribeArgs(persistentId as PickleTuple)} is not {form}");
        }
        if (id[1] is not PickleGlobal { Module: "torch" } type || TensorElementTypes.FromTorchStorageClass(type.Name) is not { } elementType)
            throw Fail($"persistent id names the storage type {RestrictedUnpickler.Describe(id[1])}, which is not supported");
        if (id[2] is not string key || key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
            throw Fail($"persistent id has the invalid storage key {RestrictedUnpickler.Describe(id[2])} '{id[2]}'");
        if (id[3] is not string location)
            throw Fail($"storage '{key}' has a location of type {RestrictedUnpickler.Describe(id[3])}");
        if (id[4] is not long numel || numel < 0)
            throw Fail($"storage '{key}' declares {id[4] ?? "None"} elements");
        var storage = Register(new StorageRef(key, elementType, location, numel));
        if (ids == TorchPersistentIds.Zip || id[5] is null)
            return new StorageSlice(storage, 0, numel);
        // Legacy storage views: (view_key, offset, size) in elements of the root storage.
        if (id[5] is not PickleTuple { Count: 3 } view || view[0] is not string || view[1] is not long offset || view[2] is not long size)
            throw Fail($"storage '{key}' has the view {RestrictedUnpickler.Describe(id[5])}, not (key, offset, size)");
        if (offset < 0 || size < 0 || offset > numel || size > numel - offset)
            throw Fail($"storage '{key}' has a view of {size} elements at offset {offset}, outside its {numel} elements");
        return new StorageSlice(storage, offset, size);
    }

    private StorageRef Register(StorageRef storage)
    {
        if (!_storages.TryGetValue(storage.Key, out var known))
        {
            _storages.Add(storage.Key, storage);
            return storage;
        }
        if (known.ElementType != storage.ElementType || known.Numel != storage.Numel)
            throw Fail($"storage '{storage.Key}' is declared as {known.Numel} {TensorElementTypes.Describe(known.ElementType)} elements and again as " +
                       $"{storage.Numel} {TensorElementTypes.Describe(storage.ElementType)} elements; a key must name one storage");
        return known;
    }

    private TensorRef Tensor(PickleGlobal global, PickleTuple args)
    {
        if (args[0] is not StorageSlice storage || args[1] is not long offset || args[2] is not PickleTuple size || args[3] is not PickleTuple stride)
            throw Fail($"{global.Name} expects (storage, offset, size, stride, …), got {DescribeArgs(args)}");
        if (size.Count > limits.MaxTensorDimensions || stride.Count > limits.MaxTensorDimensions)
            throw Fail($"a tensor has {Math.Max(size.Count, stride.Count)} dimensions, more than the limit of {limits.MaxTensorDimensions}");
        return new TensorRef(storage, offset, ToLongs(size, "size"), ToLongs(stride, "stride"));
    }

    private long[] ToLongs(PickleTuple tuple, string what)
    {
        var values = new long[tuple.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = tuple[i] as long? ?? throw Fail($"tensor {what} holds a {RestrictedUnpickler.Describe(tuple[i])}, not an int");
        return values;
    }

    private static string DescribeArgs(PickleTuple? args) =>
        args is null ? "a non-tuple" : "(" + string.Join(", ", args.Items.Take(8).Select(RestrictedUnpickler.Describe)) + (args.Count > 8 ? ", …" : "") + ")";

    private CheckpointFormatException Fail(string message) => new(fileName, field, $"{field}: {message}.");
}
