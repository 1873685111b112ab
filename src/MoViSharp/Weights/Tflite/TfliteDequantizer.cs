using System.Buffers.Binary;

namespace MoViSharp.Weights.Tflite;

/// <summary>
/// Converts constant tensors to float32: real = scale[c] * (q - zero_point[c]), with c the index along the
/// quantized dimension for per-channel tensors. Int32 biases carry scale = input_scale * weight_scale and zero point 0,
/// so the same formula applies. Float32/float16 pass through; unquantized int32/int64 are converted as plain numbers.
/// </summary>
internal static class TfliteDequantizer
{
    public static TfliteDequantizedTensor Dequantize(TfliteModel model, TfliteTensor tensor)
    {
        string what = $"tensor {tensor.Index} '{tensor.Name}' ({tensor.Type.SchemaName()} {tensor.ShapeText})";
        var bytes = model.GetTensorData(tensor).Span;
        if (bytes.IsEmpty)
            throw Bad(model, what, $"has no constant data (buffer {tensor.Buffer} is empty)");
        if (tensor.Type is not (TfliteTensorType.Float32 or TfliteTensorType.Float16 or TfliteTensorType.Int8 or TfliteTensorType.UInt8
            or TfliteTensorType.Int16 or TfliteTensorType.Int32 or TfliteTensorType.Int64))
            throw new CheckpointNotSupportedException(model.SourceName, $"tensor {tensor.Index}", $"{what}: cannot convert {tensor.Type.SchemaName()} to float32");
        // Checked before allocating: the parser has bounded the shape, and the bytes must match it exactly.
        long elements = tensor.ElementCount;
        if (elements * tensor.Type.ElementSize() != bytes.Length)
            throw Bad(model, what, $"needs {elements * tensor.Type.ElementSize()} bytes, but buffer {tensor.Buffer} holds {bytes.Length}");
        int count = (int)elements; // ≤ bytes.Length
        var values = new float[count];
        var raw = new long[tensor.Type is TfliteTensorType.Float32 or TfliteTensorType.Float16 ? 0 : count];
        switch (tensor.Type)
        {
            case TfliteTensorType.Float32:
                for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                return new(tensor.Name, tensor.Shape, values);
            case TfliteTensorType.Float16:
                for (int i = 0; i < count; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                return new(tensor.Name, tensor.Shape, values);
            case TfliteTensorType.Int8:
                for (int i = 0; i < count; i++) raw[i] = unchecked((sbyte)bytes[i]);
                break;
            case TfliteTensorType.UInt8:
                for (int i = 0; i < count; i++) raw[i] = bytes[i];
                break;
            case TfliteTensorType.Int16:
                for (int i = 0; i < count; i++) raw[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                break;
            case TfliteTensorType.Int32:
                for (int i = 0; i < count; i++) raw[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                break;
            case TfliteTensorType.Int64:
                for (int i = 0; i < count; i++) raw[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw new CheckpointNotSupportedException(model.SourceName, $"tensor {tensor.Index}", $"{what}: cannot convert {tensor.Type.SchemaName()} to float32");
        }

        var q = tensor.Quantization;
        if (q is null || !q.HasScale)
        {
            // Integer constants without a scale are shapes, axes or counts, not quantized weights.
            if (tensor.Type is TfliteTensorType.Int32 or TfliteTensorType.Int64)
            {
                for (int i = 0; i < count; i++) values[i] = raw[i];
                return new(tensor.Name, tensor.Shape, values);
            }
            throw Bad(model, what, "is quantized data without a quantization scale");
        }

        int channels = q.Scale.Length;
        long inner = 1; // the parser checked the axis and that the shape's product fits
        if (q.IsPerChannel)
            for (int d = q.QuantizedDimension + 1; d < tensor.Shape.Length; d++) inner *= tensor.Shape[d];
        for (int i = 0; i < count; i++)
        {
            int c = q.IsPerChannel ? (int)(i / inner % channels) : 0;
            long zeroPoint = q.ZeroPoint.Length == 0 ? 0 : q.ZeroPoint[c];
            values[i] = (float)(q.Scale[c] * (double)(raw[i] - zeroPoint));
        }
        return new(tensor.Name, tensor.Shape, values);
    }

    private static CheckpointFormatException Bad(TfliteModel model, string what, string problem) =>
        new(model.SourceName, what, $"{what} {problem}");
}
