using MoViSharp.Weights.Formats;

namespace MoViSharp.Weights;

/// <summary>The weight file formats MoViSharp reads, told apart by their first bytes (never by the file name).</summary>
public enum CheckpointFormat
{
    Unknown,
    /// <summary>torch.save zip archive (PyTorch ≥ 1.6).</summary>
    TorchZip,
    /// <summary>safetensors (MoViSharp checkpoints, or other tensors).</summary>
    SafeTensors,
    /// <summary>TensorFlow Lite flatbuffer ("TFL3").</summary>
    Tflite,
    /// <summary>legacy torch.save stream (PyTorch &lt; 1.6): pickle protocol opcode, then the magic number 0x1950a86a20f9469cfc6c as a pickled long.</summary>
    TorchLegacy,
}

public static class CheckpointFormats
{
    public static CheckpointFormat Detect(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' not found.", path);
        Span<byte> head = stackalloc byte[32];
        using (var stream = File.OpenRead(path)) head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        return Detect(head);
    }

    public static CheckpointFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return CheckpointFormat.TorchZip;
        if (TorchLegacyCheckpoint.MatchMagic(head) > 0) return CheckpointFormat.TorchLegacy;
        if (head.Length >= 8 && head[4] == (byte)'T' && head[5] == (byte)'F' && head[6] == (byte)'L' && head[7] == (byte)'3') return CheckpointFormat.Tflite;
        if (head.Length >= 9 && head[8] == (byte)'{' && BitConverter.ToUInt64(head[..8]) < (1UL << 32)) return CheckpointFormat.SafeTensors;
        return CheckpointFormat.Unknown;
    }
}
