using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>A storage named by a persistent id: <c>('storage', torch.XStorage, key, location, numel)</c>.</summary>
internal sealed record StorageRef(string Key, ScalarType ElementType, string Location, long Numel);

/// <summary>A tensor described by <c>torch._utils._rebuild_tensor_v2</c>; nothing is allocated until the whole pickle has been checked.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

/// <summary>
/// The only globals a <c>torch.save</c> state dict may name, and our own C# stand-ins for them:
/// <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>, <c>torch._utils._rebuild_parameter</c>
/// (and <c>_rebuild_parameter_with_state</c>), and the typed storage classes <c>torch.FloatStorage</c> etc.
/// Every other global is refused the moment it is named, before anything could use it.
/// </summary>
internal sealed class TorchPickleHost(string source, TorchCheckpointLimits limits) : IPickleHost
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");
    private static readonly PickleGlobal RebuildParameterWithState = new("torch._utils", "_rebuild_parameter_with_state");

    public object ResolveGlobal(string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (global == OrderedDict || global == RebuildTensorV2 || global == RebuildParameter || global == RebuildParameterWithState)
            return global;
        if (module == "torch" && TensorElementTypes.FromTorchStorageClass(name) is not null)
            return global;
        throw new InvalidDataException(
            $"{source}: refuses the global '{global.FullName}'; a checkpoint may only name tensor, storage and OrderedDict constructors " +
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
            return RebuildTensor(args);
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
        if (persistentId is not PickleTuple { Count: 5 } id || id[0] is not "storage")
            throw Fail($"persistent id {DescribeArgs(persistentId as PickleTuple)} is not ('storage', type, key, location, numel)");
        if (id[1] is not PickleGlobal { Module: "torch" } type || TensorElementTypes.FromTorchStorageClass(type.Name) is not { } elementType)
            throw Fail($"persistent id names the storage type {RestrictedUnpickler.Describe(id[1])}, which is not supported");
        if (id[2] is not string key || key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
            throw Fail($"persistent id has the invalid storage key {RestrictedUnpickler.Describe(id[2])} '{id[2]}'");
        if (id[3] is not string location)
            throw Fail($"storage '{key}' has a location of type {RestrictedUnpickler.Describe(id[3])}");
        if (id[4] is not long numel || numel < 0)
            throw Fail($"storage '{key}' declares {id[4] ?? "None"} elements");
        return new StorageRef(key, elementType, location, numel);
    }

    private TensorRef RebuildTensor(PickleTuple args)
    {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.Count is not (6 or 7) || args[0] is not StorageRef storage || args[1] is not long offset
            || args[2] is not PickleTuple size || args[3] is not PickleTuple stride || args[4] is not bool)
            throw Fail($"_rebuild_tensor_v2 expects (storage, offset, size, stride, requires_grad, hooks[, metadata]), got {DescribeArgs(args)}");
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
        args is null ? "a non-tuple" : "(" + string.Join(", ", args.Items.Select(RestrictedUnpickler.Describe)) + ")";

    private InvalidDataException Fail(string message) => new($"{source}: {message}.");
}
