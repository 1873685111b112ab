using TorchSharp;

namespace MoViSharp.Streaming;

/// <summary>
/// One named state tensor of a streaming model, in the official MoViNet layout (channels last, stream first),
/// e.g. <c>state_block1_layer0_stream_buffer</c> [B, k_t−1, H, W, E].
/// </summary>
public sealed record StateSpec(string Name, long[] Shape, torch.ScalarType DType)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public long Bytes => ElementCount * DType switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 => 8,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        torch.ScalarType.Int8 or torch.ScalarType.Byte or torch.ScalarType.Bool => 1,
        _ => 4,
    };

    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}] {DType}";
}
