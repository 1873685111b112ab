using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Runtime;

/// <summary>Copies between TorchSharp tensors and ONNX Runtime values (CPU memory, contiguous, float32 or int32); Tensor.bytes spans the tensor's own storage.</summary>
internal static class OrtTensors
{
    public static OrtValue Zeros(TensorElementType type, long[] shape)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        if (type == TensorElementType.Int32) value.GetTensorMutableDataAsSpan<int>().Clear();
        else value.GetTensorMutableDataAsSpan<float>().Clear();
        return value;
    }

    public static TensorElementType ElementType(string dtype) => dtype switch
    {
        "float32" => TensorElementType.Float,
        "int32" => TensorElementType.Int32,
        _ => throw new InvalidDataException($"Unsupported state element type '{dtype}'."),
    };

    /// <summary>Copies <paramref name="source"/> (any layout; converted to the value's element type) into <paramref name="target"/>.</summary>
    public static void CopyInto(Tensor source, OrtValue target)
    {
        var info = target.GetTensorTypeAndShape();
        bool isInt = info.ElementDataType == TensorElementType.Int32;
        using var scope = NewDisposeScope();
        var t = source.to_type(isInt ? ScalarType.Int32 : ScalarType.Float32).contiguous();
        if (t.numel() != info.ElementCount)
            throw new ArgumentException($"Cannot copy [{string.Join(", ", source.shape)}] into an ONNX value of shape [{string.Join(", ", info.Shape)}].");
        if (isInt) MemoryMarshal.Cast<byte, int>(t.bytes).CopyTo(target.GetTensorMutableDataAsSpan<int>());
        else MemoryMarshal.Cast<byte, float>(t.bytes).CopyTo(target.GetTensorMutableDataAsSpan<float>());
    }

    /// <summary>A new tensor holding a copy of <paramref name="value"/>.</summary>
    public static Tensor ToTensor(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        bool isInt = info.ElementDataType == TensorElementType.Int32;
        var result = empty(info.Shape, dtype: isInt ? ScalarType.Int32 : ScalarType.Float32);
        if (isInt) value.GetTensorDataAsSpan<int>().CopyTo(MemoryMarshal.Cast<byte, int>(result.bytes));
        else value.GetTensorDataAsSpan<float>().CopyTo(MemoryMarshal.Cast<byte, float>(result.bytes));
        return result;
    }
}

