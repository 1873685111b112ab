using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// Reads the tensors of a <c>torch.save</c> state dict without Python and without running anything from the file, in both of
/// PyTorch's formats: the zip archive of PyTorch 1.6 and later (<c>&lt;folder&gt;/data.pkl</c> plus one
/// <c>&lt;folder&gt;/data/&lt;key&gt;</c> entry per storage) and the legacy stream of older versions
/// (<see cref="TorchLegacyCheckpoint"/>), told apart by their first bytes. Pickles are read by <see cref="RestrictedUnpickler"/>,
/// which accepts only tensor, storage and OrderedDict constructors. The top-level object must be a dict of name → tensor, or a
/// dict whose <c>state_dict</c>, <c>model_state_dict</c> or <c>model_state</c> entry is one (the other entries of such a wrapper
/// are ignored; key prefixes such as <c>module.</c> are kept).
/// <para>Error contract: any byte sequence gives a <see cref="NamedTensors"/>, a <see cref="CheckpointFormatException"/> or a
/// <see cref="CheckpointNotSupportedException"/>; every size is checked against the file before memory is allocated.</para>
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

        Span<byte> head = stackalloc byte[TorchLegacyCheckpoint.MagicBytesNeeded];
        long start = stream.Position;
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        head = head[..read];
        if (read == 0)
            throw new CheckpointFormatException(sourceName, "magic", "the file is empty.");
        if (TorchLegacyCheckpoint.MatchMagic(head) > 0)
            return TorchLegacyCheckpoint.Read(stream, sourceName, limits);
        if (read < 4 || !head[..4].SequenceEqual(ZipMagic))
            throw new CheckpointFormatException(sourceName, "magic",
                $"not a PyTorch checkpoint (expected a zip archive starting with 'PK' or a legacy torch.save stream, found bytes {Convert.ToHexString(head[..Math.Min(read, 4)])}).");
        return ReadZip(stream, sourceName, limits);
    }

    private static NamedTensors ReadZip(Stream stream, string sourceName, TorchCheckpointLimits limits)
    {
        long fileLength = stream.Length - stream.Position;
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception e) when (IsZipLibraryFailure(e))
        {
            throw new CheckpointFormatException(sourceName, "zip", $"not a readable zip archive (truncated or corrupt): {e.Message}", e);
        }
        using (zip)
        {
            try
            {
                return ReadArchive(zip, fileLength, sourceName, limits);
            }
            catch (NotSupportedException e) when (e is not CheckpointNotSupportedException)
            {
                throw new CheckpointNotSupportedException(sourceName, "zip", $"the zip archive uses a feature this reader does not support: {e.Message}", e);
            }
            catch (Exception e) when (IsZipLibraryFailure(e))
            {
                throw new CheckpointFormatException(sourceName, "zip", $"corrupt zip archive: {e.Message}", e);
            }
        }
    }

    /// <summary>What System.IO.Compression throws on a damaged archive (our own errors pass through).</summary>
    private static bool IsZipLibraryFailure(Exception e) =>
        e is (InvalidDataException or IOException) and not CheckpointFormatException;

    private static NamedTensors ReadArchive(ZipArchive zip, long fileLength, string sourceName, TorchCheckpointLimits limits)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
            entries.TryAdd(entry.FullName, entry);

        var pickles = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToList();
        bool torchScript = entries.Keys.Any(n => n.EndsWith("/constants.pkl", StringComparison.Ordinal) || n.Contains("/code/", StringComparison.Ordinal));
        if (torchScript)
            throw new CheckpointNotSupportedException(sourceName, "zip",
                "is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save instead.");
        if (pickles.Count != 1)
            throw new CheckpointFormatException(sourceName, "data.pkl", pickles.Count == 0
                ? "the zip archive has no <folder>/data.pkl entry, so it is not a torch.save checkpoint."
                : $"the zip archive has {pickles.Count} data.pkl entries ({string.Join(", ", pickles)}); expected one.");
        string pickleName = pickles[0];
        string folder = pickleName[..^"data.pkl".Length];

        if (entries.TryGetValue(folder + "byteorder", out var byteOrderEntry))
        {
            string order = Encoding.ASCII.GetString(ReadEntry(byteOrderEntry, 16, fileLength, sourceName)).Trim();
            if (order != "little")
                throw new CheckpointNotSupportedException(sourceName, "byteorder", $"byteorder is '{order}'; only little-endian checkpoints are supported.");
        }

        byte[] pickle = ReadEntry(entries[pickleName], limits.MaxPickleBytes, fileLength, sourceName);
        var host = new TorchPickleHost(sourceName, pickleName, limits, TorchPersistentIds.Zip);
        object? root = new RestrictedUnpickler(pickle, sourceName, pickleName, host, limits).Load();
        var tensors = TorchStateDict.Select(root, sourceName);
        foreach (var (name, tensor) in tensors)
            TorchStateDict.CheckExtent(name, tensor, sourceName);
        long totalBytes = 0;
        return TorchStateDict.Materialise(tensors, storage => LoadStorage(storage, entries, folder, fileLength, sourceName, limits, ref totalBytes),
            fileLength, sourceName, limits);
    }

    private static Tensor LoadStorage(
        StorageRef storage, Dictionary<string, ZipArchiveEntry> entries, string folder, long fileLength, string sourceName,
        TorchCheckpointLimits limits, ref long totalBytes)
    {
        string entryName = $"{folder}data/{storage.Key}";
        if (!entries.TryGetValue(entryName, out var entry))
            throw new CheckpointFormatException(sourceName, entryName, $"storage '{storage.Key}' is used, but the archive has no {entryName} entry.");
        CheckEntrySize(entry, fileLength, sourceName);
        long bytes = StorageBytes(storage, entry.Length, $"{entryName} holds {entry.Length} bytes", sourceName);
        totalBytes += bytes; // each term ≤ the file's length, so the sum cannot overflow before the checks below stop it
        if (totalBytes > fileLength)
            throw new CheckpointFormatException(sourceName, entryName,
                $"storages add up to more than the file's {fileLength} bytes (zip entries overlap).");
        if (totalBytes > limits.MaxTotalBytes)
            throw new CheckpointFormatException(sourceName, entryName, $"storages exceed the limit of {limits.MaxTotalBytes} bytes in total.");

        var tensor = empty([storage.Numel], storage.ElementType);
        var target = TensorBytes.Span(tensor);
        using (var input = entry.Open())
            TensorBytes.ReadExactly(input, target, sourceName, entryName);
        if (storage.ElementType == ScalarType.Bool)
            TensorBytes.NormaliseBool(target);
        return tensor;
    }

    /// <summary>
    /// The bytes of a storage: a format error when the file has fewer than that (<paramref name="available"/>, described by
    /// <paramref name="where"/>), not supported when they could not be held in one array.
    /// </summary>
    internal static long StorageBytes(StorageRef storage, long available, string where, string sourceName)
    {
        int elementSize = TensorElementTypes.SizeOf(storage.ElementType);
        long bytes = storage.Numel > long.MaxValue / elementSize ? long.MaxValue : storage.Numel * elementSize;
        string declared = $"storage '{storage.Key}' declares {storage.Numel} {TensorElementTypes.Describe(storage.ElementType)} elements";
        if (bytes > available)
            throw new CheckpointFormatException(sourceName, $"storage '{storage.Key}'",
                $"{declared} ({(bytes == long.MaxValue ? "more than 2^63" : bytes.ToString())} bytes), but {where}.");
        if (bytes > Array.MaxLength)
            throw new CheckpointNotSupportedException(sourceName, $"storage '{storage.Key}'",
                $"{declared}; storages over {Array.MaxLength} bytes are not supported.");
        return bytes;
    }

    /// <summary>
    /// An entry may not claim more bytes than the file has, nor expand when read: torch.save stores entries uncompressed, and a
    /// compressed one could turn a small file into a large allocation.
    /// </summary>
    private static void CheckEntrySize(ZipArchiveEntry entry, long fileLength, string sourceName)
    {
        if (entry.CompressedLength > fileLength || entry.Length < 0)
            throw new CheckpointFormatException(sourceName, entry.FullName,
                $"{entry.FullName} claims {entry.CompressedLength} bytes in a file of {fileLength}.");
        if (entry.Length > entry.CompressedLength)
            throw new CheckpointNotSupportedException(sourceName, entry.FullName,
                $"{entry.FullName} is compressed ({entry.CompressedLength} bytes expanding to {entry.Length}); torch.save stores entries uncompressed and only such entries are read.");
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, long maxBytes, long fileLength, string sourceName)
    {
        CheckEntrySize(entry, fileLength, sourceName);
        if (entry.Length > maxBytes)
            throw new CheckpointFormatException(sourceName, entry.FullName, $"{entry.FullName} has {entry.Length} bytes, more than the limit of {maxBytes}.");
        var bytes = new byte[entry.Length];
        using var input = entry.Open();
        TensorBytes.ReadExactly(input, bytes, sourceName, entry.FullName);
        return bytes;
    }
}
