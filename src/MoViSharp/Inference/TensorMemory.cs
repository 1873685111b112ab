using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>Raw float32 memory of a contiguous CPU tensor, for the hand-written kernels.</summary>
internal static unsafe class TensorMemory
{
    /// <summary>The first element's address. Valid while the tensor is alive; the tensor must be contiguous float32.</summary>
    public static float* Pointer(Tensor t)
    {
        if (t.dtype != ScalarType.Float32 || !t.is_contiguous()) throw new ArgumentException("Kernels need contiguous float32 tensors.");
        // Tensor.bytes is a span over the tensor's own storage (from its data pointer), so this is not a copy.
        fixed (byte* p = t.bytes) return (float*)p;
    }
}
