using MoViSharp.IO;
using System.Buffers.Binary;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON header, then the
/// tensors' raw little-endian bytes back to back. Reading checks the whole header (dtypes, shapes, offsets that cover the data
/// exactly once) before allocating any tensor, and returns the tensors in the order of their data.
/// Writing lays the tensors out in the <see cref="NamedTensors"/> insertion order (so a written file reads back in the same
/// order), writes <c>__metadata__</c> when there is any, pads the header with spaces to a multiple of 8 bytes, and replaces
/// the target file atomically. A write followed by a read gives the same bits.
/// <para>Error contract (docs/fuzzing.md): reading any bytes gives tensors, a <see cref="CheckpointFormatException"/> or a
/// <see cref="CheckpointNotSupportedException"/> (an unknown dtype, a tensor over 2 GB), with memory bounded by the file's size.</para>
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Largest header accepted, in bytes.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads the safetensors file at <paramref name="path"/>.</summary>
    public static NamedTensors Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, Path.GetFileName(path));
    }

    /// <summary>Reads safetensors bytes; <paramref name="sourceName"/> names them in error messages.</summary>
    public static NamedTensors Read(byte[] bytes, string sourceName)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, sourceName);
    }

    /// <summary>Reads a safetensors file from the current position to the end of a seekable stream.</summary>
    public static NamedTensors Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
            throw new ArgumentException("The stream must be seekable.", nameof(stream));
        long fileLength = stream.Length - stream.Position;
        if (fileLength < 8)
            throw new CheckpointFormatException(sourceName, "length", $"{fileLength} bytes is too short for a safetensors file (at least 8 needed).");
        Span<byte> prefix = stackalloc byte[8];
        TensorBytes.ReadExactly(stream, prefix, sourceName);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointFormatException(sourceName, "header length", $"header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes.");
        if ((long)headerLength > fileLength - 8)
            throw new CheckpointFormatException(sourceName, "header length",
                $"header length {headerLength} is larger than the {fileLength - 8} bytes that follow it.");
        var json = new byte[headerLength];
        TensorBytes.ReadExactly(stream, json, sourceName);
        var header = SafeTensorsHeader.Parse(json, fileLength - 8 - (long)headerLength, sourceName);

        var result = new NamedTensors(header.Metadata);
        try
        {
            foreach (var entry in header.Entries) // contiguous and in offset order, so the stream is read front to back
            {
                var tensor = empty(entry.Shape, entry.ElementType);
                try
                {
                    var target = TensorBytes.Span(tensor);
                    TensorBytes.ReadExactly(stream, target, sourceName, $"tensor '{entry.Name}'");
                    if (entry.ElementType == ScalarType.Bool)
                        TensorBytes.NormaliseBool(target);
                }
                catch
                {
                    tensor.Dispose();
                    throw;
                }
                result.Add(entry.Name, tensor);
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(string path, NamedTensors tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = Layout(tensors); // refuse unsupported input before touching the disk
        AtomicFile.Write(path, stream => WriteTo(stream, tensors, entries));
    }

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, NamedTensors tensors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        WriteTo(stream, tensors, Layout(tensors));
    }

    /// <summary>The safetensors bytes of <paramref name="tensors"/>.</summary>
    public static byte[] ToBytes(NamedTensors tensors)
    {
        using var buffer = new MemoryStream();
        Write(buffer, tensors);
        return buffer.ToArray();
    }

    private static List<SafeTensorsEntry> Layout(NamedTensors tensors)
    {
        var entries = new List<SafeTensorsEntry>(tensors.Count);
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name == "__metadata__")
                throw new ArgumentException("A tensor cannot be named '__metadata__' in a safetensors file.", nameof(tensors));
            if (TensorElementTypes.ToSafeTensors(tensor.dtype) is null)
                throw new ArgumentException($"Tensor '{name}' has dtype {tensor.dtype}, which this safetensors writer does not support.", nameof(tensors));
            long bytes = checked(tensor.numel() * TensorElementTypes.SizeOf(tensor.dtype));
            entries.Add(new SafeTensorsEntry(name, tensor.dtype, tensor.shape, offset, offset + bytes));
            offset += bytes;
        }
        return entries;
    }

    private static void WriteTo(Stream stream, NamedTensors tensors, List<SafeTensorsEntry> entries)
    {
        byte[] header = SafeTensorsHeader.Build(entries, tensors.Metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var entry in entries)
            stream.Write(TensorBytes.Span(tensors[entry.Name]));
    }
}
