using Google.Protobuf;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;

namespace MoViSharp.Onnx.Graph;

/// <summary>Builds node attributes.</summary>
public static class OnnxAttributes
{
    public static OnnxProto.AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static OnnxProto.AttributeProto Ints(string name, params long[] values)
    {
        var a = new OnnxProto.AttributeProto { Name = name, Type = AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static OnnxProto.AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static OnnxProto.AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
