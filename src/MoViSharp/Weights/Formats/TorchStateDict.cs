using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// What both <c>torch.save</c> formats (zip and legacy) do once their pickle is read: pick the state dict out of the
/// top-level object, check every tensor's geometry against its storage, and copy the tensors out of their storages with the
/// memory they may take bounded by the file's size.
/// </summary>
internal static class TorchStateDict
{
    /// <summary>Dict entries that wrap a state dict: training scripts (<c>state_dict</c>, incl. TSM's <c>module.</c> keys),
    /// tutorials (<c>model_state_dict</c>) and PyTorchVideo's <c>.pyth</c> files (<c>model_state</c>).</summary>
    public static readonly string[] WrapperKeys = ["state_dict", "model_state_dict", "model_state"];

    /// <summary>Bytes charged per tensor beyond its elements (the native tensor object), so many tiny tensors count too.</summary>
    private const long TensorOverheadBytes = 256;

    /// <summary>The name → tensor entries of the state dict in <paramref name="root"/>, in pickle order.</summary>
    public static List<(string Name, TensorRef Tensor)> Select(object? root, string fileName)
    {
        if (root is not PickleDict top)
            throw new CheckpointFormatException(fileName, "state dict",
                $"the checkpoint holds a {RestrictedUnpickler.Describe(root)}, not a dict of tensors (save model.state_dict()).");
        if (ToTensorList(top, out string? problem) is { } direct)
            return direct;
        foreach (string wrapperKey in WrapperKeys)
        {
            if (!top.TryGet(wrapperKey, out var inner))
                continue;
            if (inner is not PickleDict innerDict)
                throw new CheckpointFormatException(fileName, wrapperKey, $"'{wrapperKey}' holds a {RestrictedUnpickler.Describe(inner)}, not a dict of tensors.");
            return ToTensorList(innerDict, out string? innerProblem)
                   ?? throw new CheckpointFormatException(fileName, wrapperKey, $"in '{wrapperKey}', {innerProblem}.");
        }
        throw new CheckpointFormatException(fileName, "state dict",
            $"{problem}, and there is no {string.Join(", ", WrapperKeys.SkipLast(1).Select(k => $"'{k}'"))} or '{WrapperKeys[^1]}' entry.");
    }

    private static List<(string, TensorRef)>? ToTensorList(PickleDict dict, out string? problem)
    {
        var list = new List<(string, TensorRef)>(dict.Count);
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
            {
                problem = $"the dict has a key of type {RestrictedUnpickler.Describe(key)}, not str";
                return null;
            }
            if (value is not TensorRef tensor)
            {
                problem = $"entry '{name}' is a {RestrictedUnpickler.Describe(value)}, not a tensor";
                return null;
            }
            list.Add((name, tensor));
        }
        problem = null;
        return list;
    }

    /// <summary>Checks that every element the tensor's size, stride and offset address lies inside the storage it sees.</summary>
    public static void CheckExtent(string name, TensorRef tensor, string fileName)
    {
        string field = $"tensor '{name}'";
        CheckpointFormatException Bad(string problem) => new(fileName, field, $"{field} {problem}");
        var (slice, offset, size, stride) = tensor;
        long available = slice.Numel;
        if (size.Length != stride.Length)
            throw Bad($"has {size.Length} sizes but {stride.Length} strides.");
        if (offset < 0)
            throw Bad($"has the negative storage offset {offset}.");
        if (size.Any(s => s < 0) || stride.Any(s => s < 0))
            throw Bad($"has a negative size or stride (size {TensorElementTypes.FormatShape(size)}, stride {TensorElementTypes.FormatShape(stride)}).");
        long numel = TensorElementTypes.CheckedNumel(size)
                     ?? throw Bad($"has a size {TensorElementTypes.FormatShape(size)} whose element count overflows 64 bits.");
        TensorShapes.CheckedElementCount(size, TensorElementTypes.SizeOf(slice.Storage.ElementType), fileName, field);
        if (numel == 0)
        {
            if (offset > available)
                throw Bad($"starts at offset {offset}, beyond its storage of {available}.");
            return;
        }
        if (numel > available)
            throw Bad($"declares {numel} elements, beyond its storage of {available}.");
        long last = offset;
        try
        {
            for (int i = 0; i < size.Length; i++)
                last = checked(last + (size[i] - 1) * stride[i]);
        }
        catch (OverflowException)
        {
            last = long.MaxValue;
        }
        if (last >= available)
            throw Bad(
                $"reaches element {(last == long.MaxValue ? "beyond 2^63" : last.ToString())} (offset {offset}, size {TensorElementTypes.FormatShape(size)}, " +
                $"stride {TensorElementTypes.FormatShape(stride)}), beyond its storage of {available}.");
    }

    /// <summary>
    /// Copies each tensor out of its storage into a contiguous tensor of its own. Storages are loaded once each through
    /// <paramref name="loadStorage"/>. The tensors may take at most <see cref="TorchCheckpointLimits.MaxExpansion"/> times the
    /// file's bytes (plus 1 MiB), so views that share one storage cannot multiply a small file into a huge allocation.
    /// </summary>
    public static NamedTensors Materialise(
        List<(string Name, TensorRef Tensor)> tensors, Func<StorageRef, Tensor> loadStorage, long fileLength, string fileName, TorchCheckpointLimits limits)
    {
        long budget = SaturatingBudget(fileLength, limits.MaxExpansion);
        long charged = 0;
        foreach (var (name, tensor) in tensors)
        {
            // Fits in a long: CheckExtent passed the size through TensorShapes with this element size.
            long bytes = TensorElementTypes.CheckedNumel(tensor.Size)!.Value * TensorElementTypes.SizeOf(tensor.Storage.Storage.ElementType);
            if (bytes > budget || charged > budget - bytes - TensorOverheadBytes)
                throw new CheckpointFormatException(fileName, $"tensor '{name}'",
                    $"the tensors up to '{name}' take more than {budget} bytes in memory ({limits.MaxExpansion} × the file's {fileLength} bytes + 1 MiB): " +
                    "views sharing storages would multiply the file's size.");
            charged += bytes + TensorOverheadBytes;
        }

        var result = new NamedTensors();
        try
        {
            using var scope = NewDisposeScope();
            var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, (slice, offset, size, stride)) in tensors)
            {
                var type = slice.Storage.ElementType;
                var tensor = empty(size, type);
                if (tensor.numel() > 0)
                {
                    if (!storages.TryGetValue(slice.Storage.Key, out var storage))
                        storages.Add(slice.Storage.Key, storage = loadStorage(slice.Storage));
                    using var view = storage.as_strided(size, stride, slice.Offset + offset);
                    tensor.copy_(view);
                }
                result.Add(name, tensor);
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static long SaturatingBudget(long fileLength, int expansion)
    {
        const long Allowance = 1 << 20;
        return fileLength > (long.MaxValue - Allowance) / Math.Max(1, expansion) ? long.MaxValue : fileLength * expansion + Allowance;
    }
}
