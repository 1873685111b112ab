namespace MoViSharp.Weights.Tflite;

/// <summary>
/// Reads the TFLite schema (v3) tables out of a checked <see cref="FlatBufferReader"/> and validates every
/// cross-reference (buffer, opcode and tensor indices, constant sizes) so later code can index without checks.
/// Field numbers are the declaration order in the public <c>schema.fbs</c>.
/// </summary>
internal static class TfliteModelParser
{
    /// <summary>TFLite files carry this FlatBuffer file identifier; we require it so other FlatBuffers are rejected early.</summary>
    public const string FileIdentifier = "TFL3";

    private static class ModelField { public const int Version = 0, OperatorCodes = 1, SubGraphs = 2, Description = 3, Buffers = 4, SignatureDefs = 7; }
    private static class OperatorCodeField { public const int DeprecatedBuiltinCode = 0, CustomCode = 1, Version = 2, BuiltinCode = 3; }
    private static class SubGraphField { public const int Tensors = 0, Inputs = 1, Outputs = 2, Operators = 3, Name = 4; }
    private static class TensorField { public const int Shape = 0, Type = 1, Buffer = 2, Name = 3, Quantization = 4, IsVariable = 5, ShapeSignature = 7; }
    private static class QuantizationField { public const int Min = 0, Max = 1, Scale = 2, ZeroPoint = 3, QuantizedDimension = 6; }
    private static class OperatorField { public const int OpcodeIndex = 0, Inputs = 1, Outputs = 2, BuiltinOptionsType = 3, BuiltinOptions = 4; }
    private static class BufferField { public const int Data = 0, Offset = 1, Size = 2; }
    private static class SignatureDefField { public const int Inputs = 0, Outputs = 1, SignatureKey = 2, SubGraphIndex = 4; }
    private static class TensorMapField { public const int Name = 0, TensorIndex = 1; }

    public static TfliteModel Parse(ReadOnlyMemory<byte> bytes, string name)
    {
        var reader = new FlatBufferReader(bytes, name);
        if (reader.Length < 8)
            throw reader.Error($"file is {reader.Length} bytes long, too short to be a TFLite model");
        string identifier = reader.FileIdentifier!;
        if (identifier != FileIdentifier)
            throw reader.Error($"file identifier at bytes 4-7 is '{Printable(identifier)}', expected '{FileIdentifier}': not a TFLite model");

        var root = reader.Root("model");
        uint version = root.GetUInt32(ModelField.Version);
        string? description = root.GetString(ModelField.Description, "model description");

        var buffers = ReadList(root, ModelField.Buffers, "buffer", t => ReadBuffer(reader, t));
        var codes = ReadList(root, ModelField.OperatorCodes, "operator code", ReadOperatorCode);
        var subGraphs = new List<TfliteSubGraph>();
        if (root.GetVector(ModelField.SubGraphs, 4, "model subgraphs") is { } sgVector)
            for (int i = 0; i < sgVector.Count; i++)
                subGraphs.Add(ReadSubGraph(reader, sgVector.GetTable(i, $"subgraph {i}"), i, buffers, codes.Count));
        if (subGraphs.Count == 0)
            throw reader.Error("model has no subgraphs");

        var signatures = ReadList(root, ModelField.SignatureDefs, "signature", t => ReadSignature(reader, t, subGraphs));
        return new TfliteModel(name, bytes, version, description, codes, subGraphs, buffers, signatures);
    }

    private static List<T> ReadList<T>(FlatBufferTable parent, int field, string what, Func<FlatBufferTable, T> read)
    {
        var result = new List<T>();
        if (parent.GetVector(field, 4, $"{what} list") is { } vector)
            for (int i = 0; i < vector.Count; i++)
                result.Add(read(vector.GetTable(i, $"{what} {i}")));
        return result;
    }

    private static TfliteBuffer ReadBuffer(FlatBufferReader reader, FlatBufferTable t)
    {
        ulong offset = t.GetUInt64(BufferField.Offset), size = t.GetUInt64(BufferField.Size);
        if (offset > 1)
        {
            if (offset > (ulong)reader.Length || size > (ulong)reader.Length - offset)
                throw reader.Error($"{t.What}: external data at offset {offset} with size {size} runs past the end of the {reader.Length}-byte file");
            return new TfliteBuffer(reader.Data.Slice((int)offset, (int)size), offset, size);
        }
        var data = t.GetVector(BufferField.Data, 1, $"{t.What} data");
        return new TfliteBuffer(data?.Bytes ?? ReadOnlyMemory<byte>.Empty, offset, size);
    }

    private static TfliteOperatorCode ReadOperatorCode(FlatBufferTable t)
    {
        int deprecated = t.GetSByte(OperatorCodeField.DeprecatedBuiltinCode);
        int builtin = t.GetInt32(OperatorCodeField.BuiltinCode);
        int code = Math.Max(deprecated, builtin);
        if (code < 0)
            throw t.Reader.Error($"{t.What}: builtin code {code} is negative");
        return new TfliteOperatorCode(code, t.GetString(OperatorCodeField.CustomCode, $"{t.What} custom_code"), t.GetInt32(OperatorCodeField.Version, 1));
    }

    private static TfliteSubGraph ReadSubGraph(FlatBufferReader reader, FlatBufferTable t, int index, List<TfliteBuffer> buffers, int codeCount)
    {
        string what = t.What;
        var tensors = ReadList(t, SubGraphField.Tensors, $"{what} tensor", tt => tt);
        var parsedTensors = new List<TfliteTensor>(tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
            parsedTensors.Add(ReadTensor(reader, tensors[i], i, what, buffers));

        int[] inputs = t.GetInt32Array(SubGraphField.Inputs, $"{what} inputs");
        int[] outputs = t.GetInt32Array(SubGraphField.Outputs, $"{what} outputs");
        CheckTensorIndices(reader, inputs, tensors.Count, $"{what} inputs", allowOmitted: false);
        CheckTensorIndices(reader, outputs, tensors.Count, $"{what} outputs", allowOmitted: false);

        var operators = new List<TfliteOperator>();
        if (t.GetVector(SubGraphField.Operators, 4, $"{what} operators") is { } opVector)
            for (int i = 0; i < opVector.Count; i++)
                operators.Add(ReadOperator(reader, opVector.GetTable(i, $"{what} operator {i}"), i, tensors.Count, codeCount));

        return new TfliteSubGraph(t.GetString(SubGraphField.Name, $"{what} name"), parsedTensors, inputs, outputs, operators);
    }

    private static TfliteTensor ReadTensor(FlatBufferReader reader, FlatBufferTable t, int index, string subGraph, List<TfliteBuffer> buffers)
    {
        string what = $"{subGraph} tensor {index}";
        int[] shape = t.GetInt32Array(TensorField.Shape, $"{what} shape");
        foreach (int d in shape)
            if (d < 0)
                throw reader.Error($"{what} has negative dimension {d} in shape [{string.Join(",", shape)}]");
        var type = (TfliteTensorType)t.GetByte(TensorField.Type);
        uint bufferIndex = t.GetUInt32(TensorField.Buffer);
        if (bufferIndex >= (uint)buffers.Count)
            throw reader.Error($"tensor {index} points to buffer {bufferIndex}, but the model has {buffers.Count} buffers");
        string name = t.GetString(TensorField.Name, $"{what} name") ?? "";

        var tensor = new TfliteTensor(index, name, shape, t.GetInt32Array(TensorField.ShapeSignature, $"{what} shape_signature"),
            type, (int)bufferIndex, ReadQuantization(reader, t, what, shape), t.GetBool(TensorField.IsVariable));

        int bytes = buffers[(int)bufferIndex].Data.Length;
        int elementSize = type.ElementSize();
        // Every size computation later (element counts, dequantizing, importing) relies on this: the sizes, zeros counted
        // as 1, times the element size fit in 63 bits, so no product over the shape can overflow.
        long nominal = Math.Max(1, elementSize);
        foreach (int d in shape)
            if (nominal > long.MaxValue / Math.Max(1, d))
                throw reader.Error($"{what}: shape [{string.Join(",", shape)}] of {type.SchemaName()} has more elements than 64 bits can count");
            else
                nominal *= Math.Max(1, d);
        if (bytes != 0 && elementSize != 0)
        {
            long expected = tensor.ElementCount * elementSize;
            if (expected != bytes)
                throw reader.Error($"tensor {index} '{name}' ({type.SchemaName()} {tensor.ShapeText}) needs {expected} bytes, but buffer {bufferIndex} holds {bytes}");
        }
        return tensor;
    }

    private static TfliteQuantization? ReadQuantization(FlatBufferReader reader, FlatBufferTable tensor, string what, int[] shape)
    {
        if (tensor.GetTable(TensorField.Quantization, $"{what} quantization") is not { } q)
            return null;
        var result = new TfliteQuantization(
            q.GetSingleArray(QuantizationField.Min, $"{what} quantization min"),
            q.GetSingleArray(QuantizationField.Max, $"{what} quantization max"),
            q.GetSingleArray(QuantizationField.Scale, $"{what} quantization scale"),
            q.GetInt64Array(QuantizationField.ZeroPoint, $"{what} quantization zero_point"),
            q.GetInt32(QuantizationField.QuantizedDimension));
        if (result.ZeroPoint.Length != 0 && result.ZeroPoint.Length != result.Scale.Length)
            throw reader.Error($"{what} has {result.Scale.Length} quantization scales but {result.ZeroPoint.Length} zero points");
        if (result.IsPerChannel)
        {
            int axis = result.QuantizedDimension;
            if (axis < 0 || axis >= shape.Length)
                throw reader.Error($"{what} is quantized along dimension {axis}, but has rank {shape.Length}");
            if (shape[axis] != result.Scale.Length)
                throw reader.Error($"{what} has {result.Scale.Length} per-channel scales, but dimension {axis} of [{string.Join(",", shape)}] is {shape[axis]}");
        }
        return result;
    }

    private static TfliteOperator ReadOperator(FlatBufferReader reader, FlatBufferTable t, int index, int tensorCount, int codeCount)
    {
        string what = t.What;
        uint opcode = t.GetUInt32(OperatorField.OpcodeIndex);
        if (opcode >= (uint)codeCount)
            throw reader.Error($"{what} uses operator code {opcode}, but the model has {codeCount} operator codes");
        int[] inputs = t.GetInt32Array(OperatorField.Inputs, $"{what} inputs");
        int[] outputs = t.GetInt32Array(OperatorField.Outputs, $"{what} outputs");
        CheckTensorIndices(reader, inputs, tensorCount, $"{what} inputs", allowOmitted: true);
        CheckTensorIndices(reader, outputs, tensorCount, $"{what} outputs", allowOmitted: false);
        byte optionsType = t.GetByte(OperatorField.BuiltinOptionsType);
        var options = TfliteOptionsDecoder.Decode(optionsType, optionsType == 0 ? null : t.GetTable(OperatorField.BuiltinOptions, $"{what} builtin_options"));
        return new TfliteOperator(index, (int)opcode, inputs, outputs, optionsType, options);
    }

    private static TfliteSignatureDef ReadSignature(FlatBufferReader reader, FlatBufferTable t, List<TfliteSubGraph> subGraphs)
    {
        string what = t.What;
        string key = t.GetString(SignatureDefField.SignatureKey, $"{what} key") ?? "";
        uint sg = t.GetUInt32(SignatureDefField.SubGraphIndex);
        if (sg >= (uint)subGraphs.Count)
            throw reader.Error($"{what} '{key}' refers to subgraph {sg}, but the model has {subGraphs.Count} subgraphs");
        int tensorCount = subGraphs[(int)sg].Tensors.Count;
        TfliteTensorMap Map(FlatBufferTable m)
        {
            string name = m.GetString(TensorMapField.Name, $"{m.What} name") ?? "";
            uint tensor = m.GetUInt32(TensorMapField.TensorIndex);
            if (tensor >= (uint)tensorCount)
                throw reader.Error($"{m.What} '{name}' of signature '{key}' points to tensor {tensor}, but subgraph {sg} has {tensorCount} tensors");
            return new TfliteTensorMap(name, (int)tensor);
        }
        return new TfliteSignatureDef(key, (int)sg,
            ReadList(t, SignatureDefField.Inputs, $"{what} input", Map),
            ReadList(t, SignatureDefField.Outputs, $"{what} output", Map));
    }

    private static void CheckTensorIndices(FlatBufferReader reader, int[] indices, int tensorCount, string what, bool allowOmitted)
    {
        foreach (int i in indices)
            if (i >= tensorCount || i < (allowOmitted ? -1 : 0))
                throw reader.Error($"{what} name tensor {i}, but the subgraph has {tensorCount} tensors");
    }

    private static string Printable(string s) => new(s.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
