using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// Reads the tensors of a <c>torch.save</c> state dict written by PyTorch 1.6 or later (a zip archive holding
/// <c>&lt;folder&gt;/data.pkl</c> and one <c>&lt;folder&gt;/data/&lt;key&gt;</c> entry per storage) without Python and without running
/// anything from the file: the pickle is read by <see cref="RestrictedUnpickler"/>, which accepts only tensor, storage and
/// OrderedDict constructors. The top-level object must be a dict of name → tensor, or a dict whose <c>state_dict</c> or
/// <c>model_state_dict</c> entry is one (the other entries of such a wrapper are ignored).
/// </summary>
public static class TorchCheckpointReader
{
    private static readonly byte[] ZipMagic = [(byte)'P', (byte)'K', 3, 4];

    /// <summary>Reads the state dict in the file at <paramref name="path"/>.</summary>
    public static NamedTensors Read(string path, TorchCheckpointLimits? limits = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, Path.GetFileName(path), limits);
    }

    /// <summary>Reads a state dict from checkpoint bytes; <paramref name="sourceName"/> names them in error messages.</summary>
    public static NamedTensors Read(byte[] bytes, string sourceName, TorchCheckpointLimits? limits = null)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, sourceName, limits);
    }

    /// <summary>Reads a state dict from a seekable stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static NamedTensors Read(Stream stream, string sourceName, TorchCheckpointLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
            throw new ArgumentException("The stream must be seekable.", nameof(stream));
        limits ??= TorchCheckpointLimits.Default;
        CheckMagic(stream, sourceName);

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{sourceName}: not a readable zip archive (truncated or corrupt): {e.Message}", e);
        }
        using (zip)
        {
            try
            {
                return ReadArchive(zip, sourceName, limits);
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith(sourceName + ":", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{sourceName}: corrupt zip archive: {e.Message}", e);
            }
        }
    }

    private static void CheckMagic(Stream stream, string sourceName)
    {
        Span<byte> head = stackalloc byte[4];
        long start = stream.Position;
        int read = 0;
        while (read < head.Length && stream.Read(head[read..]) is var n and > 0)
            read += n;
        stream.Position = start;
        if (read == 0)
            throw new InvalidDataException($"{sourceName}: the file is empty.");
        if (head[0] == 0x80)
            throw new InvalidDataException(
                $"{sourceName}: legacy torch.save format (PyTorch < 1.6) is not supported; re-save with PyTorch ≥ 1.6.");
        if (read < 4 || !head.SequenceEqual(ZipMagic))
            throw new InvalidDataException(
                $"{sourceName}: not a PyTorch checkpoint (expected a zip archive starting with 'PK', found bytes {Convert.ToHexString(head[..read])}).");
    }

    private static NamedTensors ReadArchive(ZipArchive zip, string sourceName, TorchCheckpointLimits limits)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
            entries.TryAdd(entry.FullName, entry);

        var pickles = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToList();
        bool torchScript = entries.Keys.Any(n => n.EndsWith("/constants.pkl", StringComparison.Ordinal) || n.Contains("/code/", StringComparison.Ordinal));
        if (torchScript)
            throw new InvalidDataException(
                $"{sourceName}: is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save instead.");
        if (pickles.Count != 1)
            throw new InvalidDataException(pickles.Count == 0
                ? $"{sourceName}: the zip archive has no <folder>/data.pkl entry, so it is not a torch.save checkpoint."
                : $"{sourceName}: the zip archive has {pickles.Count} data.pkl entries ({string.Join(", ", pickles)}); expected one.");
        string pickleName = pickles[0];
        string folder = pickleName[..^"data.pkl".Length];

        if (entries.TryGetValue(folder + "byteorder", out var byteOrderEntry))
        {
            string order = Encoding.ASCII.GetString(ReadEntry(byteOrderEntry, 16, sourceName)).Trim();
            if (order != "little")
                throw new InvalidDataException($"{sourceName}: byteorder is '{order}'; only little-endian checkpoints are supported.");
        }

        byte[] pickle = ReadEntry(entries[pickleName], limits.MaxPickleBytes, sourceName);
        var host = new TorchPickleHost($"{sourceName}: {pickleName}", limits);
        object? root = new RestrictedUnpickler(pickle, $"{sourceName}: {pickleName}", host, limits).Load();
        var tensors = SelectStateDict(root, sourceName);
        foreach (var (name, tensor) in tensors)
            CheckExtent(name, tensor, sourceName);
        return Materialise(tensors, entries, folder, sourceName, limits);
    }

    private static List<(string Name, TensorRef Tensor)> SelectStateDict(object? root, string sourceName)
    {
        if (root is not PickleDict top)
            throw new InvalidDataException(
                $"{sourceName}: the checkpoint holds a {RestrictedUnpickler.Describe(root)}, not a dict of tensors (save model.state_dict()).");
        if (ToTensorList(top, sourceName, out string? problem) is { } direct)
            return direct;
        foreach (string wrapperKey in (string[])["state_dict", "model_state_dict"])
        {
            if (!top.TryGet(wrapperKey, out var inner))
                continue;
            if (inner is not PickleDict innerDict)
                throw new InvalidDataException($"{sourceName}: '{wrapperKey}' holds a {RestrictedUnpickler.Describe(inner)}, not a dict of tensors.");
            return ToTensorList(innerDict, sourceName, out string? innerProblem)
                   ?? throw new InvalidDataException($"{sourceName}: in '{wrapperKey}', {innerProblem}.");
        }
        throw new InvalidDataException($"{sourceName}: {problem}, and there is no 'state_dict' or 'model_state_dict' entry.");
    }

    private static List<(string, TensorRef)>? ToTensorList(PickleDict dict, string sourceName, out string? problem)
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

    /// <summary>Checks that every element the tensor's size, stride and offset address lies inside its storage.</summary>
    private static void CheckExtent(string name, TensorRef tensor, string sourceName)
    {
        string Prefix() => $"{sourceName}: tensor '{name}'";
        var (storage, offset, size, stride) = tensor;
        if (size.Length != stride.Length)
            throw new InvalidDataException($"{Prefix()} has {size.Length} sizes but {stride.Length} strides.");
        if (offset < 0)
            throw new InvalidDataException($"{Prefix()} has the negative storage offset {offset}.");
        if (size.Any(s => s < 0) || stride.Any(s => s < 0))
            throw new InvalidDataException(
                $"{Prefix()} has a negative size or stride (size {TensorElementTypes.FormatShape(size)}, stride {TensorElementTypes.FormatShape(stride)}).");
        long numel = TensorElementTypes.CheckedNumel(size)
                     ?? throw new InvalidDataException($"{Prefix()} has a size {TensorElementTypes.FormatShape(size)} whose element count overflows 64 bits.");
        if (numel == 0)
        {
            if (offset > storage.Numel)
                throw new InvalidDataException($"{Prefix()} starts at offset {offset}, beyond its storage of {storage.Numel}.");
            return;
        }
        if (numel > storage.Numel)
            throw new InvalidDataException($"{Prefix()} declares {numel} elements, beyond its storage of {storage.Numel}.");
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
        if (last >= storage.Numel)
            throw new InvalidDataException(
                $"{Prefix()} reaches element {(last == long.MaxValue ? "beyond 2^63" : last.ToString())} (offset {offset}, size {TensorElementTypes.FormatShape(size)}, " +
                $"stride {TensorElementTypes.FormatShape(stride)}), beyond its storage of {storage.Numel}.");
    }

    private static NamedTensors Materialise(
        List<(string Name, TensorRef Tensor)> tensors, Dictionary<string, ZipArchiveEntry> entries, string folder, string sourceName, TorchCheckpointLimits limits)
    {
        var result = new NamedTensors();
        try
        {
            using var scope = NewDisposeScope();
            var storages = new Dictionary<(string, ScalarType), Tensor>();
            long totalBytes = 0;
            foreach (var (name, (storageRef, offset, size, stride)) in tensors)
            {
                if (!storages.TryGetValue((storageRef.Key, storageRef.ElementType), out var storage))
                {
                    storage = LoadStorage(storageRef, entries, folder, sourceName, name, limits, ref totalBytes);
                    storages.Add((storageRef.Key, storageRef.ElementType), storage);
                }
                var tensor = empty(size, storageRef.ElementType);
                using (var view = storage.as_strided(size, stride, offset))
                    tensor.copy_(view);
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

    private static Tensor LoadStorage(
        StorageRef storage, Dictionary<string, ZipArchiveEntry> entries, string folder, string sourceName, string tensorName,
        TorchCheckpointLimits limits, ref long totalBytes)
    {
        string entryName = $"{folder}data/{storage.Key}";
        if (!entries.TryGetValue(entryName, out var entry))
            throw new InvalidDataException($"{sourceName}: tensor '{tensorName}' uses storage '{storage.Key}', but the archive has no {entryName} entry.");
        int elementSize = TensorElementTypes.SizeOf(storage.ElementType);
        long bytes;
        try { bytes = checked(storage.Numel * elementSize); }
        catch (OverflowException) { bytes = long.MaxValue; }
        if (bytes > Array.MaxLength)
            throw new InvalidDataException(
                $"{sourceName}: storage '{storage.Key}' declares {storage.Numel} {TensorElementTypes.Describe(storage.ElementType)} elements; storages over {Array.MaxLength} bytes are not supported.");
        if (entry.Length < bytes)
            throw new InvalidDataException(
                $"{sourceName}: storage '{storage.Key}' declares {storage.Numel} {TensorElementTypes.Describe(storage.ElementType)} elements ({bytes} bytes), but {entryName} holds {entry.Length} bytes.");
        totalBytes += bytes;
        if (totalBytes > limits.MaxTotalBytes)
            throw new InvalidDataException($"{sourceName}: storages exceed the limit of {limits.MaxTotalBytes} bytes in total.");

        var tensor = empty([storage.Numel], storage.ElementType);
        var target = TensorBytes.Span(tensor);
        using (var input = entry.Open())
            TensorBytes.ReadExactly(input, target, $"{sourceName}: {entryName}");
        if (storage.ElementType == ScalarType.Bool)
            TensorBytes.NormaliseBool(target);
        return tensor;
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, long maxBytes, string sourceName)
    {
        if (entry.Length > maxBytes)
            throw new InvalidDataException($"{sourceName}: {entry.FullName} has {entry.Length} bytes, more than the limit of {maxBytes}.");
        var bytes = new byte[entry.Length];
        using var input = entry.Open();
        TensorBytes.ReadExactly(input, bytes, $"{sourceName}: {entry.FullName}");
        return bytes;
    }
}
