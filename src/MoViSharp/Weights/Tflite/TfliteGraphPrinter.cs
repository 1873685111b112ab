using System.Globalization;
using System.Text;

namespace MoViSharp.Weights.Tflite;

/// <summary>
/// Human-readable listing of a subgraph: header, signatures, then every operator in execution order with its options
/// and each input/output tensor (index, name, type, shape, constant/quantization facts; small constants show values).
/// </summary>
public static class TfliteGraphPrinter
{
    /// <summary>Constants with at most this many elements are printed in full.</summary>
    private const int MaxPrintedValues = 8;

    public static string Print(TfliteModel model, int subGraphIndex = 0)
    {
        var sg = model.SubGraphs[subGraphIndex];
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{model.SourceName}: schema v{model.Version}, \"{model.Description}\", {model.FileSize} bytes");
        sb.AppendLine(CultureInfo.InvariantCulture, $"subgraphs={model.SubGraphs.Count} buffers={model.Buffers.Count} operator_codes={model.OperatorCodes.Count}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"subgraph {subGraphIndex} '{sg.Name}': {sg.Tensors.Count} tensors, {sg.Operators.Count} operators");
        foreach (var sig in model.SignatureDefs.Where(s => s.SubGraphIndex == subGraphIndex))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"signature '{sig.Key}': {sig.Inputs.Count} inputs, {sig.Outputs.Count} outputs");
            foreach (var m in sig.Inputs) sb.AppendLine(CultureInfo.InvariantCulture, $"  input  {m.Name} -> {Tensor(model, sg.Tensors[m.TensorIndex])}");
            foreach (var m in sig.Outputs) sb.AppendLine(CultureInfo.InvariantCulture, $"  output {m.Name} -> {Tensor(model, sg.Tensors[m.TensorIndex])}");
        }
        foreach (var op in sg.Operators)
        {
            sb.AppendLine($"op {op.Index} {model.OperatorCodeOf(op).Name} {op.Options?.Describe()}".TrimEnd());
            foreach (int i in op.Inputs)
                sb.AppendLine("  in  " + (i < 0 ? "(omitted)" : Tensor(model, sg.Tensors[i])));
            foreach (int o in op.Outputs)
                sb.AppendLine("  out " + Tensor(model, sg.Tensors[o]));
        }
        return sb.ToString();
    }

    /// <summary>One tensor on one line, e.g. <c>#5 name INT8 [8,3,3,3] const q(8 ch, axis 0)</c>.</summary>
    public static string Tensor(TfliteModel model, TfliteTensor t)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"#{t.Index} {t.Name} {t.Type.SchemaName()} {t.ShapeText}");
        if (t.ShapeSignature.Length > 0 && !t.ShapeSignature.SequenceEqual(t.Shape))
            sb.Append(CultureInfo.InvariantCulture, $" sig[{string.Join(",", t.ShapeSignature)}]");
        if (t.IsVariable) sb.Append(" variable");
        bool isConst = !model.GetTensorData(t).IsEmpty;
        if (isConst) sb.Append(" const");
        if (t.Quantization is { HasScale: true } q)
        {
            if (q.IsPerChannel)
                sb.Append(CultureInfo.InvariantCulture, $" q({q.Scale.Length} ch, axis {q.QuantizedDimension}, scale {q.Scale.Min():G4}..{q.Scale.Max():G4})");
            else
                sb.Append(CultureInfo.InvariantCulture, $" q(scale {q.Scale[0]:G6}, zp {(q.ZeroPoint.Length > 0 ? q.ZeroPoint[0] : 0)})");
        }
        if (isConst && t.ElementCount <= MaxPrintedValues && t.Type.ElementSize() > 0)
        {
            try
            {
                var values = model.Dequantize(t).Values;
                sb.Append(" = {").AppendJoin(",", values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))).Append('}');
            }
            catch (Exception e) when (e is CheckpointFormatException or CheckpointNotSupportedException)
            {
                sb.Append(" = (not convertible)");
            }
        }
        return sb.ToString();
    }
}
