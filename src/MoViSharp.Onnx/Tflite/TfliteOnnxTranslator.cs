using System.Buffers.Binary;
using MoViSharp.Families.MoViNets;
using MoViSharp.Layers;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Graph;
using MoViSharp.Weights.Tflite;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Tflite;

/// <summary>
/// Translates a quantized MoViNet stream TFLite model into an ONNX QDQ graph op by op, keeping its arithmetic: every int8
/// activation keeps its scale and zero point (stored as uint8 with the zero point moved by 128, which represents exactly the same
/// real values), weights stay int8 per output channel, biases int32 at the file's scales, and each TFLite op becomes
/// DequantizeLinear → the float op → QuantizeLinear (the pattern ONNX Runtime runs as integer kernels), data movement (reshape,
/// strided slice) acting on the integers themselves. Tensors are laid out channels-first inside the graph; the inputs and outputs
/// keep the file's signature names and channels-last layouts. The states map to the plain mobile model's keys through
/// <see cref="MoViNetStateNames"/>; the file's unused block pool states pass through.
/// </summary>
public sealed class TfliteOnnxTranslator
{
    private readonly TfliteModel file;
    private readonly TfliteSubGraph main;
    private readonly OnnxGraph graph = new();
    private readonly Dictionary<int, OnnxValue> values = [];

    private TfliteOnnxTranslator(TfliteModel file)
    {
        this.file = file;
        main = file.SubGraphs[0];
    }

    public static OnnxExport Translate(string path, IReadOnlyList<string>? labels = null) => Translate(TfliteModel.Load(path), labels);

    public static OnnxExport Translate(TfliteModel file, IReadOnlyList<string>? labels = null) => new TfliteOnnxTranslator(file).Run(labels);

    private string Src => file.SourceName;

    private OnnxExport Run(IReadOnlyList<string>? labels)
    {
        var signature = file.FindSignature("serving_default") ?? throw new InvalidDataException($"{Src}: no 'serving_default' signature.");
        var image = signature.Inputs.SingleOrDefault(i => i.Name == "image") ?? throw new InvalidDataException($"{Src}: the signature has no 'image' input.");
        var logitsMap = signature.Outputs.SingleOrDefault(o => o.Name == "logits") ?? throw new InvalidDataException($"{Src}: the signature has no 'logits' output.");
        int classes = main.Tensors[logitsMap.TensorIndex].Shape[^1];
        var config = MoViNetSpecs.Mobile("a0") with { NumClasses = classes };
        using var mobile = new MoViNet(config);
        var entries = MoViNetStateNames.Entries(mobile).ToDictionary(e => e.OfficialName);
        var naming = new MoViNetOfficialStateNaming(mobile);

        var inputsByTensor = new Dictionary<int, string>();
        foreach (var input in signature.Inputs)
        {
            var t = main.Tensors[input.TensorIndex];
            var v = graph.Input(input.Name, Onnx(t.Type), t.Shape.Select(d => (long)d).ToArray());
            values[input.TensorIndex] = ToChannelsFirst(v, t.Shape.Length, input.Name);
            inputsByTensor[input.TensorIndex] = input.Name;
        }
        foreach (var op in main.Operators) Translate(op);

        var states = new List<OnnxStateBinding>();
        foreach (var output in signature.Outputs)
        {
            var t = main.Tensors[output.TensorIndex];
            bool isLogits = output.Name == "logits";
            string name = isLogits ? OnnxModelInfo.LogitsOutput : $"{output.Name}_next";
            if (!values.TryGetValue(output.TensorIndex, out var v)) throw new InvalidDataException($"{Src}: output '{output.Name}' is never computed.");
            var outputValue = graph.Output(ToChannelsLast(v, t.Shape.Length, output.Name), name, t.Shape.Select(d => (long)d).ToArray());
            if (isLogits) continue;
            long[] onnxShape = t.Shape.Skip(1).Select(d => (long)d).ToArray();
            if (entries.TryGetValue(output.Name, out var entry))
            {
                var spec = mobile.StateSpecs(1, 172, 172).Single(s => s.Name == entry.Key);
                var layout = naming.Layout(entry.Key, spec.Shape[1..]);
                if (!layout.OnnxShape.SequenceEqual(onnxShape))
                    throw new InvalidDataException($"{Src}: state '{output.Name}' is [{string.Join(",", t.Shape)}], the mobile model's is [1,{string.Join(",", layout.OnnxShape)}].");
                states.Add(new OnnxStateBinding
                {
                    Kind = OnnxStateBinding.PlainKind, Key = entry.Key, DType = t.Type == TfliteTensorType.Int32 ? "int32" : "float32",
                    Shape = spec.Shape[1..], Inputs = [output.Name], Output = name, Permutation = layout.Permutation, OnnxShape = layout.OnnxShape,
                });
            }
            else if (inputsByTensor.ContainsKey(output.TensorIndex))
                states.Add(new OnnxStateBinding
                {
                    Kind = OnnxStateBinding.PassthroughKind, DType = t.Type == TfliteTensorType.Int32 ? "int32" : "float32",
                    Shape = onnxShape, Inputs = [output.Name], Output = name, OnnxShape = onnxShape,
                    Permutation = Enumerable.Range(0, t.Shape.Length).ToArray(),
                });
            else throw new InvalidDataException($"{Src}: output state '{output.Name}' is neither a mobile MoViNet state nor an unused input.");
            _ = outputValue;
        }
        var imageTensor = main.Tensors[image.TensorIndex];
        var info = new OnnxModelInfo
        {
            Family = config.Family, ModelId = config.Id, Config = new MoViNetFamily().WriteConfig(config), Classes = classes, Labels = labels,
            Preprocessing = config.Preprocessing, Form = OnnxExportForm.StreamPlain, Height = imageTensor.Shape[2], Width = imageTensor.Shape[3],
            States = states, Quantization = "tflite-int8", Input = "image", InputLayout = "nthwc",
        };
        return new OnnxExport(graph, info, $"{Src} translated op by op from TFLite int8 (MoViNet-A0-Stream, mobile), stream-plain form");
    }

    private static DataType Onnx(TfliteTensorType type) => type switch
    {
        TfliteTensorType.Float32 => DataType.Float,
        TfliteTensorType.Int32 => DataType.Int32,
        TfliteTensorType.Int8 => DataType.Uint8,
        _ => throw new InvalidDataException($"Unsupported TFLite tensor type {type}."),
    };

    /// <summary>Axis order of a channels-last tensor of rank r moved to channels-first: [0, r−1, 1, …, r−2].</summary>
    private static long[] FirstPermutation(int rank) => rank < 3 ? [.. Enumerable.Range(0, rank).Select(i => (long)i)] : [0, rank - 1, .. Enumerable.Range(1, rank - 2).Select(i => (long)i)];

    private static long[] LastPermutation(int rank) => rank < 3 ? [.. Enumerable.Range(0, rank).Select(i => (long)i)] : [0, .. Enumerable.Range(2, rank - 2).Select(i => (long)i), 1];

    /// <summary>The channels-first axis of channels-last axis <paramref name="axis"/>.</summary>
    private static int Axis(int axis, int rank)
    {
        if (axis < 0) axis += rank;
        return rank < 3 || axis == 0 ? axis : axis == rank - 1 ? 1 : axis + 1;
    }

    private static long[] FirstShape(int[] shape) => FirstPermutation(shape.Length).Select(p => (long)shape[p]).ToArray();

    private OnnxValue ToChannelsFirst(OnnxValue v, int rank, string hint) =>
        rank < 3 ? v : graph.Node("Transpose", [v], $"{hint}.nc", attributes: [OnnxAttributes.Ints("perm", FirstPermutation(rank))]);

    private OnnxValue ToChannelsLast(OnnxValue v, int rank, string hint) =>
        rank < 3 ? v : graph.Node("Transpose", [v], $"{hint}.nhwc", attributes: [OnnxAttributes.Ints("perm", LastPermutation(rank))]);

    private TfliteTensor T(int index) => main.Tensors[index];

    private OnnxValue In(TfliteOperator op, int i)
    {
        int index = op.Inputs[i];
        if (values.TryGetValue(index, out var v)) return v;
        var t = T(index);
        if (file.GetTensorData(t).IsEmpty) throw new InvalidDataException($"{Src}: op {op.Index} reads tensor {index} '{t.Name}' before anything computes it.");
        return values[index] = Constant(t);
    }

    /// <summary>A constant activation-like tensor in channels-first layout (int8 stored as uint8, zero point + 128).</summary>
    private OnnxValue Constant(TfliteTensor t)
    {
        var bytes = file.GetTensorData(t).Span;
        int n = checked((int)t.ElementCount);
        var shape = FirstShape(t.Shape);
        switch (t.Type)
        {
            case TfliteTensorType.Int8:
            {
                var u = new byte[n];
                for (int i = 0; i < n; i++) u[i] = (byte)(bytes[i] ^ 0x80);
                if (u.All(b => b == u[0])) return graph.Constant(OnnxConstant.Byte(DataType.Uint8, [u[0]], Enumerable.Repeat(1L, t.Shape.Length).ToArray()), $"tfl{t.Index}");
                return graph.Constant(OnnxConstant.Byte(DataType.Uint8, Permute(u, t.Shape), shape), $"tfl{t.Index}");
            }
            case TfliteTensorType.Int32:
            {
                var v = new int[n];
                for (int i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                return graph.Constant(OnnxConstant.Int32(Permute(v, t.Shape), shape), $"tfl{t.Index}");
            }
            case TfliteTensorType.Float32:
            {
                var v = new float[n];
                for (int i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                return graph.Constant(OnnxConstant.Float(Permute(v, t.Shape), shape), $"tfl{t.Index}");
            }
            default:
                throw new InvalidDataException($"{Src}: constant tensor {t.Index} '{t.Name}' has unsupported type {t.Type}.");
        }
    }

    /// <summary>Reorders channels-last data to channels-first.</summary>
    private static TValue[] Permute<TValue>(TValue[] data, int[] shape)
    {
        if (shape.Length < 3) return data;
        var perm = FirstPermutation(shape.Length);
        var outShape = perm.Select(p => shape[p]).ToArray();
        var inStrides = Strides(shape);
        var result = new TValue[data.Length];
        var index = new int[shape.Length];
        for (int o = 0; o < data.Length; o++)
        {
            int rem = o, src = 0;
            for (int d = outShape.Length - 1; d >= 0; d--)
            {
                index[d] = rem % outShape[d];
                rem /= outShape[d];
            }
            for (int d = 0; d < perm.Length; d++) src += index[d] * inStrides[perm[d]];
            result[o] = data[src];
        }
        return result;
    }

    private static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
        return s;
    }

    /// <summary>Scale and uint8 zero point of an int8 activation tensor.</summary>
    private (OnnxValue Scale, OnnxValue Zero) QParams(TfliteTensor t)
    {
        if (t.Quantization is not { HasScale: true, IsPerChannel: false } q)
            throw new InvalidDataException($"{Src}: tensor {t.Index} '{t.Name}' is not quantized per tensor.");
        return (graph.Scalar(q.Scale[0], $"tfl{t.Index}.scale"),
                graph.Constant(OnnxConstant.Byte(DataType.Uint8, [(byte)(q.ZeroPoint[0] + 128)], []), $"tfl{t.Index}.zero_point"));
    }

    private OnnxValue Dq(OnnxValue v, TfliteTensor t)
    {
        if (t.Type != TfliteTensorType.Int8) return v;
        var (s, z) = QParams(t);
        return graph.Node("DequantizeLinear", [v, s, z], $"tfl{t.Index}.dq", type: DataType.Float);
    }

    private OnnxValue Q(OnnxValue v, TfliteTensor t)
    {
        if (t.Type != TfliteTensorType.Int8) return v;
        var (s, z) = QParams(t);
        return graph.Node("QuantizeLinear", [v, s, z], $"tfl{t.Index}", type: DataType.Uint8);
    }

    /// <summary>A fused activation, unless the output's quantized range already clamps to it.</summary>
    private OnnxValue Activate(OnnxValue y, TfliteActivation activation, TfliteTensor output, string hint)
    {
        if (activation == TfliteActivation.None) return y;
        (float lo, float hi) = activation switch
        {
            TfliteActivation.Relu => (0f, float.PositiveInfinity),
            TfliteActivation.Relu6 => (0f, 6f),
            TfliteActivation.ReluN1To1 => (-1f, 1f),
            _ => throw new InvalidDataException($"{Src}: fused activation {activation} is not supported."),
        };
        if (output.Quantization is { HasScale: true } q && output.Type == TfliteTensorType.Int8)
        {
            float min = q.Scale[0] * (-128 - q.ZeroPoint[0]), max = q.Scale[0] * (127 - q.ZeroPoint[0]);
            float step = q.Scale[0] / 2;
            if (min >= lo - step && max <= hi + step) return y;          // saturation of the int8 output is the activation
        }
        return graph.Node("Clip", [y, graph.Scalar(lo, "const_lo_" + lo), graph.Scalar(float.IsInfinity(hi) ? float.MaxValue : hi, "const_hi")], $"{hint}.act");
    }

    private void Translate(TfliteOperator op)
    {
        var code = file.OperatorCodeOf(op);
        var output = T(op.Outputs[0]);
        string hint = $"op{op.Index}_{code.Name.ToLowerInvariant()}";
        OnnxValue result = code.Builtin switch
        {
            TfliteBuiltinOperator.QUANTIZE => Q(T(op.Inputs[0]).Type == TfliteTensorType.Int8 ? Dq(In(op, 0), T(op.Inputs[0])) : In(op, 0), output),
            TfliteBuiltinOperator.DEQUANTIZE => Dq(In(op, 0), T(op.Inputs[0])),
            TfliteBuiltinOperator.RESHAPE => Reshape(op, output, hint),
            TfliteBuiltinOperator.CONV_2D or TfliteBuiltinOperator.DEPTHWISE_CONV_2D => Conv(op, code.Builtin == TfliteBuiltinOperator.DEPTHWISE_CONV_2D, output, hint),
            TfliteBuiltinOperator.ADD => Elementwise(op, "Add", output, hint),
            TfliteBuiltinOperator.MUL => Elementwise(op, "Mul", output, hint),
            TfliteBuiltinOperator.DIV => Elementwise(op, "Div", output, hint),
            TfliteBuiltinOperator.CONCATENATION => Concat(op, output, hint),
            TfliteBuiltinOperator.STRIDED_SLICE => StridedSlice(op, output, hint),
            TfliteBuiltinOperator.AVERAGE_POOL_2D => AveragePool(op, output, hint),
            TfliteBuiltinOperator.SUM => Sum(op, output, hint),
            TfliteBuiltinOperator.CAST => graph.Node("Cast", [In(op, 0)], hint, type: Onnx(output.Type), attributes: [OnnxAttributes.Int("to", (long)Onnx(output.Type))]),
            _ => throw new InvalidDataException($"{Src}: op {op.Index} ({code.Name}) has no ONNX translation."),
        };
        values[op.Outputs[0]] = result;
    }

    private OnnxValue Reshape(TfliteOperator op, TfliteTensor output, string hint)
    {
        var input = T(op.Inputs[0]);
        var x = In(op, 0);
        int[] from = input.Shape, to = output.Shape;
        bool channelsKept = from.Length >= 3 && to.Length >= 3 && from[^1] == to[^1];
        bool toVector = to.Length == 2 && from.Length >= 3 && from[^1] == to[^1] && from.Skip(1).SkipLast(1).All(d => d == 1);
        bool plain = from.Length < 3 && to.Length < 3;
        if (channelsKept || toVector || plain)
            return graph.Node("Reshape", [x, graph.Int64s(FirstShape(to))], hint);
        // Anything else: reshape in the file's own layout.
        var last = ToChannelsLast(x, from.Length, hint);
        var reshaped = graph.Node("Reshape", [last, graph.Int64s(to.Select(d => (long)d).ToArray())], $"{hint}.nhwc_reshape");
        return ToChannelsFirst(reshaped, to.Length, hint);
    }

    private OnnxValue Conv(TfliteOperator op, bool depthwise, TfliteTensor output, string hint)
    {
        var input = T(op.Inputs[0]);
        var weight = T(op.Inputs[1]);
        var x = Dq(In(op, 0), input);
        int[] ws = weight.Shape;                                    // conv [O,kh,kw,I]; depthwise [1,kh,kw,C]
        int channels = depthwise ? ws[3] : ws[0], kh = ws[1], kw = ws[2];
        if (weight.Type != TfliteTensorType.Int8 || weight.Quantization is not { HasScale: true } wq)
            throw new InvalidDataException($"{Src}: op {op.Index}'s weight '{weight.Name}' is not int8.");
        var raw = file.GetTensorData(weight).Span;
        var data = new byte[raw.Length];
        int inPer = depthwise ? 1 : ws[3];
        // To [O, I, kh, kw]: conv from [O,kh,kw,I]; depthwise from [1,kh,kw,C] (C outputs, one input each).
        for (int o = 0; o < channels; o++)
            for (int i = 0; i < inPer; i++)
                for (int r = 0; r < kh; r++)
                    for (int c = 0; c < kw; c++)
                        data[((o * inPer + i) * kh + r) * kw + c] = depthwise ? raw[(r * kw + c) * channels + o] : raw[((o * kh + r) * kw + c) * inPer + i];
        var scales = wq.Scale.Length == 1 ? Enumerable.Repeat(wq.Scale[0], channels).ToArray() : wq.Scale;
        if (scales.Length != channels || wq.ZeroPoint.Any(z => z != 0))
            throw new InvalidDataException($"{Src}: op {op.Index}'s weight is not symmetric per output channel.");
        var axis = new[] { OnnxAttributes.Int("axis", 0) };
        var w = graph.Node("DequantizeLinear", [
            graph.Constant(OnnxConstant.Byte(DataType.Int8, data, [channels, inPer, kh, kw]), $"{hint}.weight"),
            graph.Floats(scales, [channels], $"{hint}.weight_scale"),
            graph.Constant(OnnxConstant.Byte(DataType.Int8, new byte[channels], [channels]), $"{hint}.weight_zero_point")], $"{hint}.weight_dq", type: DataType.Float, attributes: axis);
        OnnxValue? b = null;
        if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
        {
            var bias = T(op.Inputs[2]);
            var braw = file.GetTensorData(bias).Span;
            var ints = new int[channels];
            for (int c = 0; c < channels; c++) ints[c] = BinaryPrimitives.ReadInt32LittleEndian(braw[(4 * c)..]);
            var bq = bias.Quantization ?? throw new InvalidDataException($"{Src}: bias '{bias.Name}' has no scales.");
            var bscales = bq.Scale.Length == 1 ? Enumerable.Repeat(bq.Scale[0], channels).ToArray() : bq.Scale;
            b = graph.Node("DequantizeLinear", [
                graph.Constant(OnnxConstant.Int32(ints, [channels]), $"{hint}.bias"),
                graph.Floats(bscales, [channels], $"{hint}.bias_scale"),
                graph.Constant(OnnxConstant.Int32(new int[channels], [channels]), $"{hint}.bias_zero_point")], $"{hint}.bias_dq", type: DataType.Float, attributes: axis);
        }
        var (padding, sh, sw, act) = op.Options switch
        {
            TfliteConv2DOptions c => (c.Padding, c.StrideH, c.StrideW, c.Activation),
            TfliteDepthwiseConv2DOptions d when d.DepthMultiplier == 1 => (d.Padding, d.StrideH, d.StrideW, d.Activation),
            _ => throw new InvalidDataException($"{Src}: op {op.Index} has unsupported convolution options."),
        };
        var pads = Pads(padding, input.Shape[1], input.Shape[2], kh, kw, sh, sw);
        var y = graph.Node("Conv", [x, w, b], hint, attributes:
        [
            OnnxAttributes.Ints("kernel_shape", kh, kw), OnnxAttributes.Ints("strides", sh, sw), OnnxAttributes.Ints("pads", pads),
            OnnxAttributes.Int("group", depthwise ? channels : 1),
        ]);
        return Q(Activate(y, act, output, hint), output);
    }

    private static long[] Pads(TflitePadding padding, int height, int width, int kh, int kw, int sh, int sw)
    {
        if (padding == TflitePadding.Valid) return [0, 0, 0, 0];
        var (top, bottom) = SamePadding.For(height, kh, sh);
        var (left, right) = SamePadding.For(width, kw, sw);
        return [top, left, bottom, right];
    }

    private OnnxValue Elementwise(TfliteOperator op, string onnxOp, TfliteTensor output, string hint)
    {
        var a = Dq(In(op, 0), T(op.Inputs[0]));
        var b = Dq(In(op, 1), T(op.Inputs[1]));
        var act = (op.Options as TfliteElementwiseOptions)?.Activation ?? TfliteActivation.None;
        return Q(Activate(graph.Node(onnxOp, [a, b], hint), act, output, hint), output);
    }

    private OnnxValue Concat(TfliteOperator op, TfliteTensor output, string hint)
    {
        var options = op.Options as TfliteConcatenationOptions ?? throw new InvalidDataException($"{Src}: op {op.Index} lacks concatenation options.");
        var parts = op.Inputs.Select((_, i) => Dq(In(op, i), T(op.Inputs[i]))).ToList();
        var y = graph.Node("Concat", parts, hint, attributes: [OnnxAttributes.Int("axis", Axis(options.Axis, output.Shape.Length))]);
        return Q(Activate(y, options.Activation, output, hint), output);
    }

    private OnnxValue StridedSlice(TfliteOperator op, TfliteTensor output, string hint)
    {
        var o = op.Options as TfliteStridedSliceOptions ?? throw new InvalidDataException($"{Src}: op {op.Index} lacks strided-slice options.");
        if (o.EllipsisMask != 0 || o.NewAxisMask != 0 || o.ShrinkAxisMask != 0 || o.Offset)
            throw new InvalidDataException($"{Src}: op {op.Index} uses strided-slice masks this translation does not support.");
        var input = T(op.Inputs[0]);
        int[] Ints(int i) => Int32s(T(op.Inputs[i]));
        int[] begin = Ints(1), end = Ints(2), strides = Ints(3);
        int rank = input.Shape.Length;
        var starts = new long[rank]; var ends = new long[rank]; var axes = new long[rank]; var steps = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            int size = input.Shape[d];
            long s = (o.BeginMask >> d & 1) == 1 ? 0 : begin[d] < 0 ? begin[d] + size : begin[d];
            long e = (o.EndMask >> d & 1) == 1 ? size : end[d] < 0 ? end[d] + size : end[d];
            starts[d] = s; ends[d] = e; axes[d] = Axis(d, rank); steps[d] = strides[d];
        }
        var x = In(op, 0);
        bool sameQuantization = input.Quantization?.Scale.SequenceEqual(output.Quantization?.Scale ?? []) == true
                                && input.Quantization.ZeroPoint.SequenceEqual(output.Quantization!.ZeroPoint);
        if (!sameQuantization) x = Dq(x, input);
        var y = graph.Node("Slice", [x, graph.Int64s(starts), graph.Int64s(ends), graph.Int64s(axes), graph.Int64s(steps)], hint);
        return sameQuantization ? y : Q(y, output);
    }

    private int[] Int32s(TfliteTensor t)
    {
        var bytes = file.GetTensorData(t).ToArray();
        return Enumerable.Range(0, bytes.Length / 4).Select(k => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * k))).ToArray();
    }

    private OnnxValue AveragePool(TfliteOperator op, TfliteTensor output, string hint)
    {
        var o = op.Options as TflitePool2DOptions ?? throw new InvalidDataException($"{Src}: op {op.Index} lacks pool options.");
        var input = T(op.Inputs[0]);
        var pads = Pads(o.Padding, input.Shape[1], input.Shape[2], o.FilterH, o.FilterW, o.StrideH, o.StrideW);
        var y = graph.Node("AveragePool", [Dq(In(op, 0), input)], hint, attributes:
        [
            OnnxAttributes.Ints("kernel_shape", o.FilterH, o.FilterW), OnnxAttributes.Ints("strides", o.StrideH, o.StrideW),
            OnnxAttributes.Ints("pads", pads), OnnxAttributes.Int("count_include_pad", 0),
        ]);
        return Q(Activate(y, o.Activation, output, hint), output);
    }

    private OnnxValue Sum(TfliteOperator op, TfliteTensor output, string hint)
    {
        var input = T(op.Inputs[0]);
        var axes = Int32s(T(op.Inputs[1])).Select(a => (long)Axis(a, input.Shape.Length)).ToArray();
        bool keep = (op.Options as TfliteReducerOptions)?.KeepDims ?? false;
        var y = graph.Node("ReduceSum", [Dq(In(op, 0), input), graph.Int64s(axes)], hint, attributes: [OnnxAttributes.Int("keepdims", keep ? 1 : 0)]);
        return Q(y, output);
    }
}
