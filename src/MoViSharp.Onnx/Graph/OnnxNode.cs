namespace MoViSharp.Onnx.Graph;

/// <summary>One operator of a graph being built. Inputs and outputs are values, so renaming a value renames it everywhere.</summary>
public sealed class OnnxNode
{
    internal OnnxNode(string opType, string name, string domain)
    {
        OpType = opType;
        Name = name;
        Domain = domain;
    }

    public string OpType { get; }
    public string Name { get; }
    /// <summary>"" for the default ONNX domain.</summary>
    public string Domain { get; }
    /// <summary>Inputs in order; null is an omitted optional input.</summary>
    public List<OnnxValue?> Inputs { get; } = [];
    public List<OnnxValue> Outputs { get; } = [];
    public List<OnnxProto.AttributeProto> Attributes { get; } = [];

    /// <summary>Set by export rules on the nodes int8 quantization runs on integers (convolutions, residual sums, pools, stacks).</summary>
    public bool Quantizable { get; set; }

    public OnnxProto.AttributeProto? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    public override string ToString() => $"{OpType} {Name}";
}
