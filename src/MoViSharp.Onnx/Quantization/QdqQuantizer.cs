using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Graph;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Quantization;

/// <summary>
/// Static int8 quantization to an ONNX QDQ graph, the form ONNX Runtime fuses into integer kernels (QLinearConv, QLinearAdd, …):
/// every node an export rule marked quantizable (convolutions, residual sums, TF-same pools, temporal stacks) reads its
/// activations through QuantizeLinear→DequantizeLinear pairs with uint8 parameters from the calibrated ranges and writes them
/// the same way; convolution weights are int8, symmetric, per output channel, biases int32 at input scale × weight scale. A
/// ReLU or ReLU6 right after a convolution is folded into the output's quantization range ([0, max] or exactly [0, 6]), as
/// TFLite does. Everything else (activations such as hard-swish, running sums and counts, the gate) stays float between pairs.
/// </summary>
public static class QdqQuantizer
{
    /// <summary>Exports <paramref name="model"/> (ring form for stream models, clip graph otherwise), calibrates it on <paramref name="clips"/> and quantizes it.</summary>
    public static OnnxExport Quantize(VideoModel model, IEnumerable<Tensor> clips, OnnxExportOptions? options = null,
        CalibrationMethod method = CalibrationMethod.MinMax)
    {
        var form = model.Streamable ? OnnxExportForm.StreamRing : OnnxExportForm.Clip;
        var export = OnnxExporter.Export(model, (options ?? new OnnxExportOptions()) with { Form = form, TemporalDepthwiseAsConv = true });
        var ranges = OnnxCalibration.Collect(export, clips, model.Config.Preprocessing, method);
        Rewrite(export, ranges);
        return export;
    }

    /// <summary>Rewrites <paramref name="export"/> in place to QDQ form using <paramref name="ranges"/> (by value name).</summary>
    public static void Rewrite(OnnxExport export, IReadOnlyDictionary<string, ActivationRange> ranges)
    {
        var graph = export.Graph;
        // Ranges by value (names change below when outputs move).
        var byValue = new Dictionary<OnnxValue, ActivationRange>(ReferenceEqualityComparer.Instance);
        foreach (var v in graph.Inputs.Concat(graph.Nodes.SelectMany(n => n.Outputs)))
            if (ranges.TryGetValue(v.Name, out var r)) byValue[v] = r;

        FoldActivations(graph, byValue);

        var targets = new List<OnnxValue>();
        var seen = new HashSet<OnnxValue>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Nodes.Where(n => n.Quantizable))
        {
            var activations = node.OpType == "Conv" ? [node.Inputs[0]!] : node.Inputs.Where(i => i is not null).Select(i => i!);
            foreach (var v in activations.Concat(node.Outputs))
                if (v.ElementType == DataType.Float && !v.IsConstant && byValue.ContainsKey(v) && seen.Add(v)) targets.Add(v);
        }

        var parameters = new Dictionary<OnnxValue, (float Scale, byte ZeroPoint)>(ReferenceEqualityComparer.Instance);
        foreach (var v in targets)
        {
            var p = byValue[v].Uint8();
            parameters[v] = p;
            InsertPair(graph, v, p.Scale, p.ZeroPoint);
        }
        foreach (var conv in graph.Nodes.Where(n => n.Quantizable && n.OpType == "Conv").ToList())
            QuantizeWeights(graph, conv, parameters);
        export.Info = export.Info with { Quantization = "qdq-int8" };
    }

    /// <summary>Conv → Relu/Clip(0,6) with nothing else reading the conv: the activation becomes the conv output's quantization range.</summary>
    private static void FoldActivations(OnnxGraph graph, Dictionary<OnnxValue, ActivationRange> ranges)
    {
        foreach (var conv in graph.Nodes.Where(n => n.Quantizable && n.OpType == "Conv").ToList())
        {
            var output = conv.Outputs[0];
            var consumers = graph.Consumers(output).ToList();
            if (consumers.Count != 1 || graph.Outputs.Contains(output)) continue;
            var act = consumers[0];
            ActivationRange? forced = act.OpType switch
            {
                "Relu" when ranges.TryGetValue(act.Outputs[0], out var r) => new ActivationRange(0, r.Max),
                "Clip" when IsConstant(act.Inputs.ElementAtOrDefault(1), 0f) && IsConstant(act.Inputs.ElementAtOrDefault(2), 6f) => new ActivationRange(0, 6),
                _ => null,
            };
            if (forced is not { } range) continue;
            var activated = act.Outputs[0];
            graph.ReplaceUses(activated, output);
            if (graph.Outputs.Contains(activated)) graph.ReplaceOutput(activated, output);
            graph.Nodes.Remove(act);
            ranges[output] = range;
        }
    }

    private static bool IsConstant(OnnxValue? v, float value) => v?.Constant?.Floats is [var x] && x == value;

    /// <summary>v → Q → DQ, every reader of v (and the graph output v, if it is one) switched to the DQ value.</summary>
    private static void InsertPair(OnnxGraph graph, OnnxValue v, float scale, byte zeroPoint)
    {
        var s = graph.Scalar(scale, $"{v.Name}.scale");
        var z = graph.Constant(OnnxConstant.Byte(DataType.Uint8, [zeroPoint], []), $"{v.Name}.zero_point");
        int at = v.Producer is { } producer ? graph.Nodes.IndexOf(producer) + 1 : 0;
        var q = graph.Node("QuantizeLinear", [v, s, z], $"{v.Name}.q", v.Shape, DataType.Uint8);
        var dq = graph.Node("DequantizeLinear", [q, s, z], $"{v.Name}.dq", v.Shape, DataType.Float);
        // Node() appended them; move them right after the producer to keep the order topological.
        var qNode = q.Producer!;
        var dqNode = dq.Producer!;
        graph.Nodes.Remove(qNode);
        graph.Nodes.Remove(dqNode);
        graph.Nodes.Insert(at, qNode);
        graph.Nodes.Insert(at + 1, dqNode);
        graph.ReplaceUses(v, dq, except: qNode);
        if (graph.Outputs.Contains(v)) graph.ReplaceOutput(v, dq);
    }

    private static void QuantizeWeights(OnnxGraph graph, OnnxNode conv, Dictionary<OnnxValue, (float Scale, byte ZeroPoint)> parameters)
    {
        var input = conv.Inputs[0]!;
        // The conv now reads the DQ of its input: find the original value's scale through the pair.
        if (input.Producer is not { OpType: "DequantizeLinear" } dq || dq.Inputs[0]!.Producer is not { OpType: "QuantizeLinear" } q) return;
        float inputScale = parameters[q.Inputs[0]!].Scale;
        if (conv.Inputs[1]?.Constant?.Floats is not { } weight || conv.Inputs[2]?.Constant?.Floats is not { } bias) return;
        var dims = conv.Inputs[1]!.Constant!.Dims;
        int channels = (int)dims[0], per = weight.Length / channels;
        var quantized = new byte[weight.Length];
        var scales = new float[channels];
        var biasScales = new float[channels];
        var biasValues = new int[channels];
        for (int c = 0; c < channels; c++)
        {
            float max = 0;
            for (int i = 0; i < per; i++) max = Math.Max(max, Math.Abs(weight[c * per + i]));
            float scale = max > 0 ? max / 127f : 1f;
            scales[c] = scale;
            for (int i = 0; i < per; i++)
                quantized[c * per + i] = unchecked((byte)(sbyte)Math.Clamp((int)Math.Round(weight[c * per + i] / scale, MidpointRounding.ToEven), -127, 127));
            biasScales[c] = inputScale * scale;
            biasValues[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)biasScales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }
        string hint = conv.Name.Split('/')[0];
        var wq = graph.Constant(OnnxConstant.Byte(DataType.Int8, quantized, dims), $"{hint}.weight_q");
        var wScale = graph.Floats(scales, [channels], $"{hint}.weight_scale");
        var wZero = graph.Constant(OnnxConstant.Byte(DataType.Int8, new byte[channels], [channels]), $"{hint}.weight_zero_point");
        var bq = graph.Constant(OnnxConstant.Int32(biasValues, [channels]), $"{hint}.bias_q");
        var bScale = graph.Floats(biasScales, [channels], $"{hint}.bias_scale");
        var bZero = graph.Constant(OnnxConstant.Int32(new int[channels], [channels]), $"{hint}.bias_zero_point");
        var axis = new[] { OnnxAttributes.Int("axis", 0) };
        var w = graph.Node("DequantizeLinear", [wq, wScale, wZero], $"{hint}.weight_dq", dims, DataType.Float, axis);
        var b = graph.Node("DequantizeLinear", [bq, bScale, bZero], $"{hint}.bias_dq", [channels], DataType.Float, axis);
        foreach (var n in new[] { w.Producer!, b.Producer! })
        {
            graph.Nodes.Remove(n);
            graph.Nodes.Insert(graph.Nodes.IndexOf(conv), n);
        }
        conv.Inputs[1] = w;
        conv.Inputs[2] = b;
    }
}
