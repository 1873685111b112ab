using static TorchSharp.torch;

namespace MoViSharp.Onnx.Export;

/// <summary>A tensor's values as a float32 array, for graph constants.</summary>
internal static class TensorValues
{
    public static float[] Floats(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to_type(ScalarType.Float32).contiguous().cpu().data<float>().ToArray();
    }
}
