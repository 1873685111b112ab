using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Graph;

/// <summary>
/// One tensor of a graph being built: a graph input, a node output or a constant. Its name may change until the model is written
/// (a value that becomes a graph output takes the output's name), so nodes refer to the value, not to its name.
/// A shape's first extent −1 is the symbolic batch dimension.
/// </summary>
public sealed class OnnxValue
{
    internal OnnxValue(string name, DataType type, long[]? shape)
    {
        Name = name;
        ElementType = type;
        Shape = shape;
    }

    public string Name { get; internal set; }
    public DataType ElementType { get; }
    public long[]? Shape { get; internal set; }

    /// <summary>The node that computes it, or null (graph input or constant).</summary>
    public OnnxNode? Producer { get; internal set; }

    /// <summary>The constant's data when it is an initializer, else null.</summary>
    public OnnxConstant? Constant { get; internal set; }

    public bool IsConstant => Constant is not null;

    public override string ToString() => $"{Name} {ElementType} [{(Shape is null ? "?" : string.Join(", ", Shape))}]";
}
