using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>Moves raw little-endian element bytes in and out of CPU tensors, bit for bit.</summary>
internal static class TensorBytes
{
    /// <summary>The element bytes of a contiguous CPU tensor, as a writable view of its memory.</summary>
    public static Span<byte> Span(Tensor tensor)
    {
        if (tensor.device_type != TorchSharp.DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("Only contiguous CPU tensors expose their bytes.", nameof(tensor));
        long length = checked(tensor.numel() * tensor.element_size());
        if (length > Array.MaxLength)
            throw new NotSupportedException($"Tensors larger than {Array.MaxLength} bytes are not supported (this one has {length}).");
        if (length == 0)
            return [];
        var span = tensor.bytes; // TorchSharp: a view of the CPU tensor's memory
        if (span.Length != length)
            throw new InvalidOperationException($"TorchSharp exposed {span.Length} bytes for a tensor of {length}.");
        return span;
    }

    public static void NormaliseBool(Span<byte> bytes)
    {
        foreach (ref byte b in bytes)
            b = b != 0 ? (byte)1 : (byte)0;
    }

    /// <summary>Reads exactly <paramref name="target"/>.Length bytes or fails with a format error naming the file and <paramref name="field"/>.</summary>
    public static void ReadExactly(Stream stream, Span<byte> target, string fileName, string? field = null)
    {
        int read = 0;
        while (read < target.Length)
        {
            int n = stream.Read(target[read..]);
            if (n == 0)
                throw new CheckpointFormatException(fileName, field ?? "data",
                    $"{(field is null ? "" : field + ": ")}file ends after {read} of {target.Length} bytes.");
            read += n;
        }
    }
}
