using System.Buffers.Binary;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// The legacy (non-zip) <c>torch.save</c> format of PyTorch before 1.6, still used by many released checkpoints (TSM 2019,
/// the C3D conversion, older torchvision files): five things back to back in one stream,
/// <list type="number">
/// <item>a pickle of the magic number 0x1950a86a20f9469cfc6c,</item>
/// <item>a pickle of the protocol version 1001,</item>
/// <item>a pickle of the writer's system info (<c>{"protocol_version", "little_endian", "type_sizes"}</c>),</item>
/// <item>the pickle of the saved object, whose persistent ids name storages
///   <c>('storage', torch.XStorage, key, location, numel, view_metadata)</c>,</item>
/// <item>a pickle of the sorted list of storage keys, then per key an int64 element count and the storage's raw bytes.</item>
/// </list>
/// Read with the same <see cref="RestrictedUnpickler"/> and checks as the zip format: nothing is run, every count is checked
/// against the bytes left in the file before anything is allocated, and the pickles must fit in
/// <see cref="TorchCheckpointLimits.MaxPickleBytes"/>.
/// </summary>
internal static class TorchLegacyCheckpoint
{
    /// <summary>0x1950a86a20f9469cfc6c as the 10 little-endian bytes of a pickled LONG1.</summary>
    private static readonly byte[] MagicNumber = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    private const long ProtocolVersion = 1001;

    /// <summary>Bytes <see cref="MatchMagic"/> needs to see: PROTO, an optional FRAME (protocol 4 and 5), LONG1 of 10 bytes, STOP.</summary>
    public const int MagicBytesNeeded = 2 + 9 + 2 + 10 + 1;

    /// <summary>The length of the magic-number pickle at the start of <paramref name="head"/>, or 0 when it is not there.</summary>
    public static int MatchMagic(ReadOnlySpan<byte> head)
    {
        if (head.Length < 2 || head[0] != 0x80 || head[1] is < 2 or > 5)
            return 0;
        int at = 2;
        if (head.Length > at && head[at] == 0x95) // FRAME: an 8-byte length hint
            at += 9;
        if (head.Length < at + 13 || head[at] != 0x8A || head[at + 1] != MagicNumber.Length
            || !head.Slice(at + 2, MagicNumber.Length).SequenceEqual(MagicNumber) || head[at + 12] != 0x2E)
            return 0;
        return at + 13;
    }

    public static NamedTensors Read(Stream stream, string sourceName, TorchCheckpointLimits limits)
    {
        long start = stream.Position;
        long fileLength = stream.Length - start;
        // The pickles come first; read at most MaxPickleBytes of them into memory, the storages are read later from the stream.
        var head = new byte[Math.Min(fileLength, limits.MaxPickleBytes)];
        TensorBytes.ReadExactly(stream, head, sourceName, "pickles");
        int at = MatchMagic(head);
        if (at == 0)
            throw new CheckpointFormatException(sourceName, "magic", "does not start with the legacy torch.save magic number.");

        object? protocol = Unpickle(head, ref at, sourceName, "protocol version pickle", new PlainPickleHost(sourceName, "protocol version pickle"), limits);
        if (protocol is not long version || version != ProtocolVersion)
            throw new CheckpointNotSupportedException(sourceName, "protocol version",
                $"legacy torch.save protocol version {Show(protocol)} is not supported (only {ProtocolVersion}).");

        object? sysInfo = Unpickle(head, ref at, sourceName, "system info pickle", new PlainPickleHost(sourceName, "system info pickle"), limits);
        if (sysInfo is not PickleDict info || !info.TryGet("little_endian", out var littleEndian) || littleEndian is not bool little)
            throw new CheckpointFormatException(sourceName, "system info", $"the system info pickle is a {RestrictedUnpickler.Describe(sysInfo)} without a boolean 'little_endian'.");
        if (!little)
            throw new CheckpointNotSupportedException(sourceName, "system info", "the checkpoint was written on a big-endian machine; only little-endian checkpoints are supported.");

        var host = new TorchPickleHost(sourceName, "object pickle", limits, TorchPersistentIds.Legacy);
        object? root = Unpickle(head, ref at, sourceName, "object pickle", host, limits);
        object? keyList = Unpickle(head, ref at, sourceName, "storage key pickle", new PlainPickleHost(sourceName, "storage key pickle"), limits);
        var keys = StorageKeys(keyList, host, sourceName);

        var tensors = TorchStateDict.Select(root, sourceName);
        foreach (var (name, tensor) in tensors)
            TorchStateDict.CheckExtent(name, tensor, sourceName);
        var used = tensors.Where(t => t.Tensor.Size.All(s => s > 0)).Select(t => t.Tensor.Storage.Storage.Key).ToHashSet(StringComparer.Ordinal);
        foreach (string key in used)
            if (!keys.Contains(key))
                throw new CheckpointFormatException(sourceName, "storage keys", $"storage '{key}' is used by a tensor but its data is not in the file (not in the storage key list).");

        // Where each storage's data lies: walk the count-then-bytes records without reading the bytes yet.
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        long position = at;
        Span<byte> countBytes = stackalloc byte[8];
        foreach (string key in keys)
        {
            var storage = host.Storages[key];
            if (fileLength - position < 8)
                throw new CheckpointFormatException(sourceName, $"storage '{key}'", $"the file ends at byte {fileLength}, before the element count of storage '{key}'.");
            stream.Position = start + position;
            TensorBytes.ReadExactly(stream, countBytes, sourceName, $"storage '{key}'");
            long count = BinaryPrimitives.ReadInt64LittleEndian(countBytes);
            if (count != storage.Numel)
                throw new CheckpointFormatException(sourceName, $"storage '{key}'",
                    $"storage '{key}' holds {count} elements in the file, but the object pickle declares {storage.Numel}.");
            position += 8;
            long bytes = TorchCheckpointReader.StorageBytes(storage, fileLength - position, $"only {fileLength - position} bytes are left in the file", sourceName);
            offsets.Add(key, position);
            position += bytes;
        }

        return TorchStateDict.Materialise(tensors, storage =>
        {
            var tensor = empty([storage.Numel], storage.ElementType);
            var target = TensorBytes.Span(tensor);
            stream.Position = start + offsets[storage.Key];
            TensorBytes.ReadExactly(stream, target, sourceName, $"storage '{storage.Key}'");
            if (storage.ElementType == ScalarType.Bool)
                TensorBytes.NormaliseBool(target);
            return tensor;
        }, fileLength, sourceName, limits);
    }

    private static object? Unpickle(byte[] head, ref int at, string sourceName, string field, IPickleHost host, TorchCheckpointLimits limits)
    {
        if (at >= head.Length)
            throw new CheckpointFormatException(sourceName, field,
                head.Length >= limits.MaxPickleBytes
                    ? $"{field} starts beyond the first {limits.MaxPickleBytes} bytes, the limit for a checkpoint's pickles."
                    : $"the file ends at byte {head.Length}, before the {field}.");
        var unpickler = new RestrictedUnpickler(head, sourceName, field, host, limits, start: at);
        object? value = unpickler.Load();
        at = unpickler.Position;
        return value;
    }

    /// <summary>The storage keys in file order; each must be a storage the object pickle declared, and appear once.</summary>
    private static List<string> StorageKeys(object? keyList, TorchPickleHost host, string sourceName)
    {
        if (keyList is not PickleList list)
            throw new CheckpointFormatException(sourceName, "storage keys", $"the storage key pickle holds a {RestrictedUnpickler.Describe(keyList)}, not a list of keys.");
        var keys = new List<string>(list.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (item is not string key)
                throw new CheckpointFormatException(sourceName, "storage keys", $"the storage key list holds a {RestrictedUnpickler.Describe(item)}, not a str.");
            if (!host.Storages.ContainsKey(key))
                throw new CheckpointFormatException(sourceName, "storage keys", $"the storage key list names '{key}', which no persistent id of the object pickle declares.");
            if (!seen.Add(key))
                throw new CheckpointFormatException(sourceName, "storage keys", $"the storage key list names '{key}' twice.");
            keys.Add(key);
        }
        return keys;
    }

    private static string Show(object? value) => value is long n ? n.ToString() : RestrictedUnpickler.Describe(value);
}
