using System.IO.Compression;
using MoViSharp.IO;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// Writes a state dict as PyTorch's own <c>torch.save</c> zip archive (the format of PyTorch 1.6 and later), so that
/// <c>torch.load</c> and <see cref="TorchCheckpointReader"/> read it: <c>archive/data.pkl</c> (an OrderedDict of name →
/// <c>torch._utils._rebuild_tensor_v2</c> over one storage per tensor), <c>archive/data/&lt;i&gt;</c> with each tensor's
/// little-endian bytes (stored, uncompressed), <c>archive/version</c> and <c>archive/byteorder</c>. Optionally the dict is
/// wrapped under one key, as PyTorchVideo (<c>model_state</c>) and the TSM release (<c>state_dict</c>) save theirs. The file is
/// replaced atomically.
/// </summary>
public static class TorchCheckpointWriter
{
    private const string Folder = "archive";

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>; <paramref name="wrapKey"/>: the outer dict's key, or none.</summary>
    public static void Write(string path, NamedTensors tensors, string? wrapKey = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, tensor) in tensors)
            if (StorageClass(tensor.dtype) is null)
                throw new ArgumentException($"Tensor '{name}' has dtype {tensor.dtype}, which the torch.save writer does not support.", nameof(tensors));
        AtomicFile.Write(path, stream => Write(stream, tensors, wrapKey));
    }

    /// <summary>Writes the archive to a seekable <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, NamedTensors tensors, string? wrapKey = null)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        using (var pickle = zip.CreateEntry($"{Folder}/data.pkl", CompressionLevel.NoCompression).Open())
            WritePickle(pickle, tensors, wrapKey);
        int key = 0;
        foreach (var (_, tensor) in tensors)
        {
            using var entry = zip.CreateEntry($"{Folder}/data/{key++}", CompressionLevel.NoCompression).Open();
            using var contiguous = tensor.contiguous();
            entry.Write(TensorBytes.Span(contiguous));
        }
        WriteText(zip, $"{Folder}/byteorder", "little");
        WriteText(zip, $"{Folder}/version", "3\n");
    }

    private static void WriteText(ZipArchive zip, string name, string text)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        entry.Write(System.Text.Encoding.ASCII.GetBytes(text));
    }

    private static void WritePickle(Stream stream, NamedTensors tensors, string? wrapKey)
    {
        var p = new PickleWriter(stream);
        p.Protocol();
        if (wrapKey is not null)
        {
            p.EmptyDict();
            p.String(wrapKey);
        }
        p.Global("collections", "OrderedDict");
        p.EmptyTuple();
        p.Reduce();
        p.Mark();
        int key = 0;
        foreach (var (name, tensor) in tensors)
        {
            p.String(name);
            p.Global("torch._utils", "_rebuild_tensor_v2");
            p.Mark();
            // The storage, loaded by torch's persistent_load: ('storage', storage class, key, location, element count).
            p.Mark();
            p.String("storage");
            p.Global("torch", StorageClass(tensor.dtype)!);
            p.String((key++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            p.String("cpu");
            p.Int(tensor.numel());
            p.Tuple();
            p.PersistentId();
            p.Int(0); // storage offset
            Ints(p, tensor.shape);
            Ints(p, ContiguousStrides(tensor.shape));
            p.Bool(false); // requires_grad
            p.Global("collections", "OrderedDict");
            p.EmptyTuple();
            p.Reduce(); // backward hooks: none
            p.Tuple();
            p.Reduce();
        }
        p.SetItems();
        if (wrapKey is not null) p.SetItem();
        p.Stop();
    }

    private static void Ints(PickleWriter p, long[] values)
    {
        if (values.Length == 0) { p.EmptyTuple(); return; }
        p.Mark();
        foreach (long v in values) p.Int(v);
        p.Tuple();
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= Math.Max(1, shape[i]);
        }
        return strides;
    }

    private static string? StorageClass(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.BFloat16 => "BFloat16Storage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Int16 => "ShortStorage",
        ScalarType.Int8 => "CharStorage",
        ScalarType.Byte => "ByteStorage",
        ScalarType.Bool => "BoolStorage",
        _ => null,
    };
}
