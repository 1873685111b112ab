namespace MoViSharp.Weights.Tflite;

/// <summary>
/// Decodes the <c>BuiltinOptions</c> union of an operator. The union type (not the opcode) selects the table
/// layout; field indices follow the public TFLite schema.
/// </summary>
internal static class TfliteOptionsDecoder
{
    // BuiltinOptions union type values.
    private const byte Conv2D = 1, DepthwiseConv2D = 2, Pool2D = 5, FullyConnected = 8, Softmax = 9,
        Concatenation = 10, Add = 11, Reshape = 17, Mul = 21, Reducer = 27, Sub = 28, Div = 29, Squeeze = 30, StridedSlice = 32;

    public static TfliteOperatorOptions? Decode(byte unionType, FlatBufferTable? table)
    {
        if (unionType == 0)
            return null;
        if (table is not { } t)
            return null; // type tag without a table: every field takes its default, which callers see as "no options"
        return unionType switch
        {
            Conv2D => new TfliteConv2DOptions(Padding(t, 0), t.GetInt32(1), t.GetInt32(2), t.GetInt32(4, 1), t.GetInt32(5, 1), Activation(t, 3)),
            DepthwiseConv2D => new TfliteDepthwiseConv2DOptions(Padding(t, 0), t.GetInt32(1), t.GetInt32(2), t.GetInt32(3), t.GetInt32(5, 1), t.GetInt32(6, 1), Activation(t, 4)),
            Pool2D => new TflitePool2DOptions(Padding(t, 0), t.GetInt32(1), t.GetInt32(2), t.GetInt32(3), t.GetInt32(4), Activation(t, 5)),
            FullyConnected => new TfliteFullyConnectedOptions(Activation(t, 0), t.GetSByte(1), t.GetBool(2)),
            Softmax => new TfliteSoftmaxOptions(t.GetSingle(0)),
            Concatenation => new TfliteConcatenationOptions(t.GetInt32(0), Activation(t, 1)),
            Add or Mul or Sub or Div => new TfliteElementwiseOptions(Activation(t, 0)),
            Reshape => new TfliteReshapeOptions(t.GetInt32Array(0, $"{t.What} new_shape")),
            Reducer => new TfliteReducerOptions(t.GetBool(0)),
            Squeeze => new TfliteSqueezeOptions(t.GetInt32Array(0, $"{t.What} squeeze_dims")),
            StridedSlice => new TfliteStridedSliceOptions(t.GetInt32(0), t.GetInt32(1), t.GetInt32(2), t.GetInt32(3), t.GetInt32(4), t.GetBool(5)),
            _ => new TfliteUndecodedOptions(unionType),
        };
    }

    private static TflitePadding Padding(FlatBufferTable t, int field)
    {
        sbyte value = t.GetSByte(field);
        return Enum.IsDefined((TflitePadding)value) ? (TflitePadding)value
            : throw t.Reader.Error($"{t.What}: padding value {value} is neither SAME (0) nor VALID (1)");
    }

    private static TfliteActivation Activation(FlatBufferTable t, int field)
    {
        sbyte value = t.GetSByte(field);
        return Enum.IsDefined((TfliteActivation)value) ? (TfliteActivation)value
            : throw t.Reader.Error($"{t.What}: fused activation value {value} is not a known ActivationFunctionType");
    }
}
