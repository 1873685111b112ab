using System.Globalization;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Graph;

/// <summary>
/// A graph under construction: inputs, constants, nodes in topological order (the order they are added) and named outputs.
/// Exporters add to it; passes (quantization) rewrite it; <see cref="ToModel"/> writes the ONNX ModelProto. Names are made
/// unique here, so callers pass readable hints (module paths).
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>The symbolic name of the batch dimension (extent −1 in shapes).</summary>
    public const string BatchDimension = "batch";

    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxValue> int64Constants = new(StringComparer.Ordinal);

    public List<OnnxValue> Inputs { get; } = [];
    public List<OnnxValue> Constants { get; } = [];
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxValue> Outputs { get; } = [];

    /// <summary>A unique name from <paramref name="hint"/> (the hint itself when it is free).</summary>
    public string UniqueName(string hint)
    {
        if (string.IsNullOrEmpty(hint)) hint = "v";
        if (names.Add(hint)) return hint;
        for (int i = 1; ; i++)
        {
            string candidate = $"{hint}_{i.ToString(CultureInfo.InvariantCulture)}";
            if (names.Add(candidate)) return candidate;
        }
    }

    public OnnxValue Input(string name, DataType type, long[] shape)
    {
        if (!names.Add(name)) throw new ArgumentException($"The graph already has a value named '{name}'.");
        var value = new OnnxValue(name, type, shape);
        Inputs.Add(value);
        return value;
    }

    public OnnxValue Constant(OnnxConstant data, string hint)
    {
        var value = new OnnxValue(UniqueName(hint), data.Type, data.Dims) { Constant = data };
        Constants.Add(value);
        return value;
    }

    public OnnxValue Floats(float[] values, long[] dims, string hint) => Constant(OnnxConstant.Float(values, dims), hint);

    /// <summary>A scalar float constant, shared by every node that needs the same value.</summary>
    public OnnxValue Scalar(float value, string hint)
    {
        string key = $"f{BitConverter.SingleToInt32Bits(value)}";
        if (!int64Constants.TryGetValue(key, out var constant) || !Constants.Contains(constant))
            int64Constants[key] = constant = Floats([value], [], hint);
        return constant;
    }

    /// <summary>A 1-D int64 constant (shapes, axes, indices), shared by every node that needs the same values.</summary>
    public OnnxValue Int64s(params long[] values)
    {
        string key = string.Join(",", values);
        if (!int64Constants.TryGetValue(key, out var value))
            int64Constants[key] = value = Constant(OnnxConstant.Int64(values, [values.Length]), $"const_i64_{key.Replace(",", "_").Replace("-", "m")}");
        return value;
    }

    /// <summary>A scalar int64 constant.</summary>
    public OnnxValue Int64Scalar(long value) => Constant(OnnxConstant.Int64([value], []), $"const_i64_scalar_{value}");

    /// <summary>Adds a node with one output and returns it.</summary>
    public OnnxValue Node(string opType, IEnumerable<OnnxValue?> inputs, string hint, long[]? shape = null, DataType? type = null,
        IEnumerable<OnnxProto.AttributeProto>? attributes = null, string domain = "")
    {
        var list = inputs.ToList();
        var elementType = type ?? list.First(v => v is not null)!.ElementType;
        return NodeWithOutputs(opType, list, hint, [(shape, elementType)], attributes, domain)[0];
    }

    /// <summary>Adds a node with several outputs.</summary>
    public IReadOnlyList<OnnxValue> NodeWithOutputs(string opType, IReadOnlyList<OnnxValue?> inputs, string hint,
        IReadOnlyList<(long[]? Shape, DataType Type)> outputs, IEnumerable<OnnxProto.AttributeProto>? attributes = null, string domain = "")
    {
        var node = new OnnxNode(opType, UniqueName($"{hint}/{opType}"), domain);
        node.Inputs.AddRange(inputs);
        if (attributes is not null) node.Attributes.AddRange(attributes);
        for (int i = 0; i < outputs.Count; i++)
        {
            var value = new OnnxValue(UniqueName(outputs.Count == 1 ? hint : $"{hint}:{i}"), outputs[i].Type, outputs[i].Shape) { Producer = node };
            node.Outputs.Add(value);
        }
        Nodes.Add(node);
        return node.Outputs;
    }

    /// <summary>
    /// Makes <paramref name="value"/> the graph output <paramref name="name"/>: the value is renamed when a node computes it and it
    /// is not yet an output; otherwise an Identity gives the output its own name.
    /// </summary>
    public OnnxValue Output(OnnxValue value, string name, long[]? shape = null)
    {
        if (Outputs.Any(o => o.Name == name)) throw new ArgumentException($"The graph already has an output named '{name}'.");
        OnnxValue output;
        if (value.Producer is not null && !Outputs.Contains(value))
        {
            if (!names.Add(name)) throw new ArgumentException($"The graph already has a value named '{name}'.");
            names.Remove(value.Name);
            value.Name = name;
            output = value;
        }
        else
        {
            if (names.Contains(name)) throw new ArgumentException($"The graph already has a value named '{name}'.");
            var node = new OnnxNode("Identity", UniqueName($"{name}/Identity"), "");
            node.Inputs.Add(value);
            names.Add(name);
            output = new OnnxValue(name, value.ElementType, value.Shape) { Producer = node };
            node.Outputs.Add(output);
            Nodes.Add(node);
        }
        if (shape is not null) output.Shape = shape;
        Outputs.Add(output);
        return output;
    }

    /// <summary>Marks the node computing <paramref name="value"/> as one int8 quantization runs on integers; returns the value.</summary>
    public static OnnxValue Quantizable(OnnxValue value)
    {
        if (value.Producer is { } node) node.Quantizable = true;
        return value;
    }

    /// <summary>Every node that reads <paramref name="value"/>.</summary>
    public IEnumerable<OnnxNode> Consumers(OnnxValue value) => Nodes.Where(n => n.Inputs.Contains(value));

    /// <summary>Points every reader of <paramref name="from"/> (except <paramref name="except"/>) at <paramref name="to"/>.</summary>
    public void ReplaceUses(OnnxValue from, OnnxValue to, OnnxNode? except = null)
    {
        foreach (var node in Nodes)
        {
            if (ReferenceEquals(node, except)) continue;
            for (int i = 0; i < node.Inputs.Count; i++)
                if (ReferenceEquals(node.Inputs[i], from)) node.Inputs[i] = to;
        }
    }

    /// <summary>Swaps the names of two values (a rewrite that puts a new value where a graph output was).</summary>
    public void SwapNames(OnnxValue a, OnnxValue b) => (a.Name, b.Name) = (b.Name, a.Name);

    /// <summary>Replaces graph output <paramref name="old"/> by <paramref name="replacement"/>, which takes its name.</summary>
    public void ReplaceOutput(OnnxValue old, OnnxValue replacement)
    {
        int index = Outputs.IndexOf(old);
        if (index < 0) throw new ArgumentException($"'{old.Name}' is not a graph output.");
        SwapNames(old, replacement);
        replacement.Shape ??= old.Shape;
        Outputs[index] = replacement;
    }

    /// <summary>Removes nodes and constants nothing reads (after rewrites).</summary>
    public void RemoveUnused()
    {
        bool changed = true;
        while (changed)
        {
            var used = new HashSet<OnnxValue>(Outputs, ReferenceEqualityComparer.Instance);
            foreach (var node in Nodes)
                foreach (var input in node.Inputs)
                    if (input is not null) used.Add(input);
            int before = Nodes.Count;
            Nodes.RemoveAll(n => n.Outputs.All(o => !used.Contains(o)));
            Constants.RemoveAll(c => !used.Contains(c));
            changed = Nodes.Count != before;
        }
        foreach (var key in int64Constants.Where(p => !Constants.Contains(p.Value)).Select(p => p.Key).ToList()) int64Constants.Remove(key);
    }

    /// <summary>The ONNX model: this graph, opset imports and metadata properties.</summary>
    public OnnxProto.ModelProto ToModel(string graphName, int opset, IEnumerable<KeyValuePair<string, string>> metadata, string docString,
        IEnumerable<(string Domain, int Version)>? extraOpsets = null)
    {
        var graph = new OnnxProto.GraphProto { Name = graphName, DocString = docString };
        foreach (var input in Inputs) graph.Input.Add(ValueInfo(input));
        foreach (var output in Outputs) graph.Output.Add(ValueInfo(output));
        foreach (var constant in Constants) graph.Initializer.Add(constant.Constant!.ToProto(constant.Name));
        foreach (var node in Nodes)
        {
            var proto = new OnnxProto.NodeProto { OpType = node.OpType, Name = node.Name, Domain = node.Domain };
            foreach (var input in node.Inputs) proto.Input.Add(input?.Name ?? "");
            foreach (var output in node.Outputs) proto.Output.Add(output.Name);
            proto.Attribute.AddRange(node.Attributes);
            graph.Node.Add(proto);
        }
        var model = new OnnxProto.ModelProto
        {
            IrVersion = 8,
            ProducerName = "MoViSharp",
            ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "0",
            Domain = "org.movisharp",
            ModelVersion = 1,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OnnxProto.OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (domain, version) in extraOpsets ?? []) model.OpsetImport.Add(new OnnxProto.OperatorSetIdProto { Domain = domain, Version = version });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new OnnxProto.StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static OnnxProto.ValueInfoProto ValueInfo(OnnxValue value)
    {
        var tensor = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)value.ElementType };
        if (value.Shape is { } shape)
        {
            tensor.Shape = new OnnxProto.TensorShapeProto();
            foreach (var extent in shape)
                tensor.Shape.Dim.Add(extent < 0
                    ? new OnnxProto.TensorShapeProto.Types.Dimension { DimParam = BatchDimension }
                    : new OnnxProto.TensorShapeProto.Types.Dimension { DimValue = extent });
        }
        return new OnnxProto.ValueInfoProto { Name = value.Name, Type = new OnnxProto.TypeProto { TensorType = tensor } };
    }
}
