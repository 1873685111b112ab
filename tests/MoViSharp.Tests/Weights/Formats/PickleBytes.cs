using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MoViSharp.Tests.Weights.Formats;

/// <summary>Writes pickle opcodes by hand, so the tests control every byte the unpickler sees.</summary>
internal sealed class PickleBytes
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public PickleBytes Op(params byte[] bytes) { _bytes.AddRange(bytes); return this; }
    public PickleBytes Proto() => Op(0x80, 2);
    public PickleBytes Stop() => Op((byte)'.');
    public PickleBytes Mark() => Op((byte)'(');
    public PickleBytes EmptyDict() => Op((byte)'}');
    public PickleBytes EmptyTuple() => Op((byte)')');
    public PickleBytes Tuple() => Op((byte)'t');
    public PickleBytes Tuple1() => Op(0x85);
    public PickleBytes Reduce() => Op((byte)'R');
    public PickleBytes SetItems() => Op((byte)'u');
    public PickleBytes SetItem() => Op((byte)'s');
    public PickleBytes False() => Op(0x89);
    public PickleBytes PersId() => Op((byte)'Q');
    public PickleBytes Put(byte index) => Op((byte)'q', index);
    public PickleBytes Get(byte index) => Op((byte)'h', index);
    public PickleBytes None() => Op(0x4E);
    public PickleBytes True() => Op(0x88);
    public PickleBytes EmptyList() => Op((byte)']');
    public PickleBytes Appends() => Op((byte)'e');

    public PickleBytes Global(string module, string name) =>
        Op((byte)'c').Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBytes Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Op((byte)'X');
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Op(length.ToArray()).Op(utf8);
    }

    /// <summary>Any 64-bit integer, as LONG1 with 8 bytes.</summary>
    public PickleBytes Int(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Op(0x8A, 8).Op(bytes);
    }

    public PickleBytes IntTuple(params long[] values)
    {
        Mark();
        foreach (long v in values)
            Int(v);
        return Tuple();
    }

    /// <summary>
    /// <c>_rebuild_tensor_v2(('storage', torch.&lt;type&gt;, key, 'cpu', numel), offset, size, stride, False, OrderedDict())</c>;
    /// with <paramref name="legacy"/>, the persistent id has the legacy format's sixth element, a None view.
    /// </summary>
    public PickleBytes Tensor(string storageType, string key, long numel, long offset, long[] size, long[] stride, bool legacy = false)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel);
        if (legacy)
            Op(0x4E);
        Tuple().PersId();
        Int(offset).IntTuple(size).IntTuple(stride).False();
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return Tuple().Reduce();
    }

    /// <summary>A pickle of <c>{name: float tensor}</c> with the given geometry over storage '0'.</summary>
    public static byte[] StateDict(string name, long numel, long offset, long[] size, long[] stride, string storageType = "FloatStorage") =>
        new PickleBytes().Proto().EmptyDict().Mark().Str(name).Tensor(storageType, "0", numel, offset, size, stride).SetItems().Stop().ToArray();

    /// <summary>A torch.save-style zip: <c>archive/data.pkl</c>, the given storages as <c>archive/data/&lt;key&gt;</c>, and <c>archive/version</c>.</summary>
    public static byte[] Zip(byte[] pickle, params (string Key, byte[] Bytes)[] storages) =>
        ZipEntries([("archive/data.pkl", pickle), .. storages.Select(s => ($"archive/data/{s.Key}", s.Bytes)), ("archive/version", "3\n"u8.ToArray())]);

    private static readonly DateTimeOffset FixedTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] ZipEntries(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                entry.LastWriteTime = FixedTime; // the same bytes on every run
                using var stream = entry.Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }
}
