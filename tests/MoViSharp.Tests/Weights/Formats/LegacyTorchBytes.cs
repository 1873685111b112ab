using System.Buffers.Binary;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Formats;

/// <summary>
/// Writes legacy (PyTorch &lt; 1.6) torch.save streams byte by byte, so tests control every part: the three header pickles,
/// the object pickle, the storage key list and each storage's count and data.
/// </summary>
internal static class LegacyTorchBytes
{
    /// <summary>The magic-number pickle exactly as torch.save writes it with protocol 2.</summary>
    public static readonly byte[] Magic = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E];

    public static byte[] Protocol(long version = 1001) => new PickleBytes().Proto().Int(version).Stop().ToArray();

    public static byte[] SysInfo(bool littleEndian = true)
    {
        var p = new PickleBytes().Proto().EmptyDict().Mark().Str("protocol_version").Int(1001).Str("little_endian");
        (littleEndian ? p.True() : p.False()).Str("type_sizes").EmptyDict().Mark().Str("short").Int(2).Str("int").Int(4).Str("long").Int(4).SetItems();
        return p.SetItems().Stop().ToArray();
    }

    public static byte[] Keys(params string[] keys)
    {
        var p = new PickleBytes().Proto().EmptyList();
        if (keys.Length > 0)
        {
            p.Mark();
            foreach (string key in keys) p.Str(key);
            p.Appends();
        }
        return p.Stop().ToArray();
    }

    /// <summary>A storage record: the int64 element count, then the raw bytes.</summary>
    public static byte[] Storage(long count, byte[] data)
    {
        var bytes = new byte[8 + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, count);
        data.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>A whole file: magic, protocol, system info, <paramref name="objectPickle"/>, key list, storage records.</summary>
    public static byte[] File(byte[] objectPickle, string[] keys, params byte[][] storages) =>
        [.. Magic, .. Protocol(), .. SysInfo(), .. objectPickle, .. Keys(keys), .. storages.SelectMany(s => s)];

    /// <summary><c>{name: float tensor}</c> over legacy storage '0'.</summary>
    public static byte[] StateDict(string name, long numel, long offset, long[] size, long[] stride, string storageType = "FloatStorage") =>
        new PickleBytes().Proto().EmptyDict().Mark().Str(name).Tensor(storageType, "0", numel, offset, size, stride, legacy: true).SetItems().Stop().ToArray();

    /// <summary>A legacy file holding <paramref name="tensors"/> as a plain state dict, one storage per tensor (keys "0", "1", …).</summary>
    public static byte[] FromTensors(NamedTensors tensors)
    {
        var pickle = new PickleBytes().Proto().EmptyDict();
        var keys = new List<string>();
        var storages = new List<byte[]>();
        if (tensors.Count > 0) pickle.Mark();
        foreach (var (name, tensor) in tensors)
        {
            string key = keys.Count.ToString();
            keys.Add(key);
            long[] shape = tensor.shape, stride = tensor.stride();
            pickle.Str(name).Tensor(StorageClass(tensor.dtype), key, tensor.numel(), 0, shape, stride, legacy: true);
            storages.Add(Storage(tensor.numel(), tensor.numel() == 0 ? [] : tensor.bytes.ToArray()));
        }
        if (tensors.Count > 0) pickle.SetItems();
        return File(pickle.Stop().ToArray(), [.. keys], [.. storages]);
    }

    private static string StorageClass(ScalarType type) => type switch
    {
        ScalarType.Float32 => "FloatStorage", ScalarType.Float64 => "DoubleStorage", ScalarType.Float16 => "HalfStorage",
        ScalarType.BFloat16 => "BFloat16Storage", ScalarType.Int64 => "LongStorage", ScalarType.Int32 => "IntStorage",
        ScalarType.Int16 => "ShortStorage", ScalarType.Int8 => "CharStorage", ScalarType.Byte => "ByteStorage", ScalarType.Bool => "BoolStorage",
        _ => throw new ArgumentException($"no legacy storage class for {type}"),
    };

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }
}
