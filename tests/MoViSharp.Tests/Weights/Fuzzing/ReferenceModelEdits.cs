using System.Buffers.Binary;
using MoViSharp.Tests.Weights.Tflite;
using MoViSharp.Weights.Tflite;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Targeted edits of a copy of the shared reference TFLite model, located with the library's own reader: rewire an operator's
/// input, change an operator code or an operator's code index, retype or reshape a tensor.
/// </summary>
internal sealed class ReferenceModelEdits
{
    private readonly FlatBufferTable subGraph;
    private readonly FlatBufferTable root;

    public ReferenceModelEdits()
    {
        Bytes = (byte[])TfliteReferenceFile.Bytes.Clone();
        Model = TfliteModel.Parse(TfliteReferenceFile.Bytes, "reference");
        root = new FlatBufferReader(TfliteReferenceFile.Bytes, "reference").Root("model");
        subGraph = root.GetVector(2, 4, "subgraphs")!.Value.GetTable(0, "subgraph 0");
    }

    public byte[] Bytes { get; }

    /// <summary>The unedited model, to find operators and tensors by their role.</summary>
    public TfliteModel Model { get; }

    public IReadOnlyList<TfliteOperator> Operators => Model.SubGraphs[0].Operators;

    public string Kind(TfliteOperator op) => Model.OperatorCodeOf(op).Name;

    public TfliteOperator FirstOperator(Func<TfliteOperator, bool> matches) => Operators.First(matches);

    /// <summary>The first operator that reads <paramref name="tensor"/>.</summary>
    public TfliteOperator ReaderOf(int tensor) => Operators.First(op => op.Inputs.Contains(tensor));

    /// <summary>The operator that writes <paramref name="tensor"/>.</summary>
    public TfliteOperator WriterOf(int tensor) => Operators.First(op => op.Outputs.Contains(tensor));

    public void SetInput(TfliteOperator op, int slot, int tensor)
    {
        var inputs = subGraph.GetVector(3, 4, "operators")!.Value.GetTable(op.Index, "op").GetVector(1, 4, "inputs")!.Value;
        BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan((int)(inputs.ElementsStart + 4 * slot)), tensor);
    }

    /// <summary>Sets the length of an operator's input vector (elements beyond it are left as they are).</summary>
    public void SetInputCount(TfliteOperator op, int count)
    {
        var inputs = subGraph.GetVector(3, 4, "operators")!.Value.GetTable(op.Index, "op").GetVector(1, 4, "inputs")!.Value;
        BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan((int)inputs.LengthPosition), count);
    }

    /// <summary>Rewrites the builtin code of operator-code entry <paramref name="codeIndex"/> (both schema fields where present).</summary>
    public void SetBuiltinCode(int codeIndex, int builtin)
    {
        var code = root.GetVector(1, 4, "operator codes")!.Value.GetTable(codeIndex, "code");
        long deprecated = code.FieldPosition(0, 1), current = code.FieldPosition(3, 4);
        if (deprecated >= 0) Bytes[deprecated] = (byte)Math.Min(builtin, 127);
        if (current >= 0) BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan((int)current), builtin);
        if (deprecated < 0 && current < 0) throw new InvalidOperationException("operator code stores no builtin code");
    }

    /// <summary>Points operator <paramref name="op"/> at another entry of the operator-code table.</summary>
    public void SetOpcodeIndex(TfliteOperator op, int codeIndex)
    {
        long at = subGraph.GetVector(3, 4, "operators")!.Value.GetTable(op.Index, "op").FieldPosition(0, 4);
        if (at < 0) throw new InvalidOperationException($"op {op.Index} stores no opcode index");
        BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan((int)at), codeIndex);
    }

    public int CodeIndexOf(string name) => Model.OperatorCodes.Select((c, i) => (c, i)).First(x => x.c.Name == name).i;

    public void SetTensorType(int tensor, TfliteTensorType type)
    {
        long at = Tensor(tensor).FieldPosition(1, 1);
        if (at < 0) throw new InvalidOperationException($"tensor {tensor} stores no type field");
        Bytes[at] = (byte)type;
    }

    public void SetShape(int tensor, params int[] dims)
    {
        var shape = Tensor(tensor).GetVector(0, 4, "shape")!.Value;
        for (int i = 0; i < Math.Min(dims.Length, shape.Count); i++)
            BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan((int)(shape.ElementsStart + 4 * i)), dims[i]);
    }

    private FlatBufferTable Tensor(int index) => subGraph.GetVector(0, 4, "tensors")!.Value.GetTable(index, "tensor");
}
