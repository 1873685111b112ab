using MoViSharp.Weights.Tflite;

namespace MoViSharp.Tests.Weights.Tflite;

/// <summary>Facts of the shared MoViNet-A0-Stream int8 reference model, read through our own FlatBuffers reader.</summary>
public class TfliteReferenceModelTests
{
    private static readonly Lazy<TfliteModel> Model = new(() => TfliteModel.Load(TfliteReferenceFile.Path));

    private static TfliteSubGraph Main => Model.Value.SubGraphs[0];

    [Fact]
    public void Counts_MatchTheReadme()
    {
        var m = Model.Value;
        Assert.Equal(3u, m.Version);
        Assert.Equal("MLIR Converted.", m.Description);
        Assert.Single(m.SubGraphs);
        Assert.Equal(452, Main.Tensors.Count);
        Assert.Equal(227, Main.Operators.Count);
        Assert.Equal(455, m.Buffers.Count);
        Assert.Equal(44, Main.Inputs.Length);
        Assert.Equal(44, Main.Outputs.Length);
    }

    [Fact]
    public void ServingDefaultSignature_HasImageLogitsAndFortyThreeStates()
    {
        var sig = Model.Value.FindSignature("serving_default");
        Assert.NotNull(sig);
        Assert.Equal(0, sig.SubGraphIndex);
        Assert.Equal(44, sig.Inputs.Count);
        Assert.Equal(44, sig.Outputs.Count);

        var image = Main.Tensors[sig.Inputs.Single(i => i.Name == "image").TensorIndex];
        Assert.Equal(TfliteTensorType.Float32, image.Type);
        Assert.Equal([1, 1, 172, 172, 3], image.Shape);
        var logits = Main.Tensors[sig.Outputs.Single(o => o.Name == "logits").TensorIndex];
        Assert.Equal(TfliteTensorType.Float32, logits.Type);
        Assert.Equal([1, 600], logits.Shape);

        var states = sig.Inputs.Where(i => i.Name.StartsWith("state_", StringComparison.Ordinal)).Select(i => i.Name).Order().ToArray();
        Assert.Equal(43, states.Length);
        Assert.Equal(states, sig.Outputs.Where(o => o.Name != "logits").Select(o => o.Name).Order().ToArray());
        var b4l0 = Main.Tensors[sig.Inputs.Single(i => i.Name == "state_block4_layer0_stream_buffer").TensorIndex];
        Assert.Equal([1, 4, 6, 6, 384], b4l0.Shape);
        var count = Main.Tensors[sig.Inputs.Single(i => i.Name == "state_head_pool_frame_count").TensorIndex];
        Assert.Equal(TfliteTensorType.Int32, count.Type);
        Assert.Equal([1], count.Shape);
    }

    [Fact]
    public void OperatorHistogram_IsExact()
    {
        var expected = new Dictionary<string, int>
        {
            ["ADD"] = 17, ["AVERAGE_POOL_2D"] = 4, ["CAST"] = 1, ["CONCATENATION"] = 11, ["CONV_2D"] = 38,
            ["DEPTHWISE_CONV_2D"] = 26, ["DEQUANTIZE"] = 13, ["DIV"] = 1, ["MUL"] = 16, ["QUANTIZE"] = 14,
            ["RESHAPE"] = 74, ["STRIDED_SLICE"] = 11, ["SUM"] = 1,
        };
        Assert.Equal(expected.OrderBy(k => k.Key), Model.Value.OperatorHistogram().OrderBy(k => k.Key));
    }

    [Fact]
    public void EveryOperator_HasTheOptionsTableOfItsOpcode()
    {
        var m = Model.Value;
        foreach (var op in Main.Operators)
        {
            var name = m.OperatorCodeOf(op).Builtin;
            Type? expected = name switch
            {
                TfliteBuiltinOperator.CONV_2D => typeof(TfliteConv2DOptions),
                TfliteBuiltinOperator.DEPTHWISE_CONV_2D => typeof(TfliteDepthwiseConv2DOptions),
                TfliteBuiltinOperator.AVERAGE_POOL_2D => typeof(TflitePool2DOptions),
                TfliteBuiltinOperator.CONCATENATION => typeof(TfliteConcatenationOptions),
                TfliteBuiltinOperator.ADD or TfliteBuiltinOperator.MUL or TfliteBuiltinOperator.DIV => typeof(TfliteElementwiseOptions),
                TfliteBuiltinOperator.STRIDED_SLICE => typeof(TfliteStridedSliceOptions),
                TfliteBuiltinOperator.SUM => typeof(TfliteReducerOptions),
                _ => null,
            };
            if (expected is not null)
                Assert.True(op.Options?.GetType() == expected, $"op {op.Index} {name}: options {op.Options?.GetType().Name ?? "none"}, expected {expected.Name}");
        }
        // Every fused activation in the graph is ReLU6 or none (README: no hard-swish, no logistic).
        var activations = Main.Operators.Select(op => op.Options switch
        {
            TfliteConv2DOptions c => c.Activation,
            TfliteDepthwiseConv2DOptions d => d.Activation,
            _ => TfliteActivation.None,
        }).Distinct().Order().ToArray();
        Assert.Equal([TfliteActivation.None, TfliteActivation.Relu6], activations);
    }

    [Fact]
    public void StemConv_IsInt8PerChannelWithFoldedBias()
    {
        var m = Model.Value;
        var stem = Main.Operators.First(op => m.OperatorCodeOf(op).Builtin == TfliteBuiltinOperator.CONV_2D);
        var options = Assert.IsType<TfliteConv2DOptions>(stem.Options);
        Assert.Equal(new TfliteConv2DOptions(TflitePadding.Same, 2, 2, 1, 1, TfliteActivation.Relu6), options);

        var weight = Main.Tensors[stem.Inputs[1]];
        Assert.Equal("movinet_classifier/movinet/stem/stem/conv2d/conv2d/Conv2D", weight.Name);
        Assert.Equal(TfliteTensorType.Int8, weight.Type);
        Assert.Equal([8, 3, 3, 3], weight.Shape);
        Assert.NotNull(weight.Quantization);
        Assert.Equal(8, weight.Quantization.Scale.Length);
        Assert.Equal(0, weight.Quantization.QuantizedDimension);

        var values = m.Dequantize(weight);
        Assert.Equal(216, values.Values.Length);
        Assert.All(values.Values, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(values.Values, v => v != 0);
        // Element 27 is output channel 1: value = scale[1] * (q - zp[1]).
        var raw = m.GetTensorData(weight).Span;
        Assert.Equal(weight.Quantization.Scale[1] * ((sbyte)raw[27] - weight.Quantization.ZeroPoint[1]), values.Values[27], 6);

        var bias = Main.Tensors[stem.Inputs[2]];
        Assert.Equal(TfliteTensorType.Int32, bias.Type);
        Assert.Equal([8], bias.Shape);
        var biasValues = m.Dequantize(bias).Values;
        Assert.All(biasValues, v => Assert.True(float.IsFinite(v) && MathF.Abs(v) < 100));
        Assert.Contains(biasValues, v => v != 0);
    }

    [Fact]
    public void AllConstants_Dequantize_ToFiniteValues()
    {
        var m = Model.Value;
        int constants = 0;
        foreach (var t in Main.Tensors.Where(t => !m.GetTensorData(t).IsEmpty))
        {
            var values = m.Dequantize(t).Values;
            Assert.Equal(t.ElementCount, values.Length);
            Assert.True(values.All(float.IsFinite), $"tensor {t.Index} {t.Name} has non-finite values");
            constants++;
        }
        Assert.True(constants > 100, $"only {constants} constants");
    }

    [Fact]
    public void RezeroMuls_OnePerBlock_WithAConstantScale()
    {
        var m = Model.Value;
        var rezero = Main.Operators.Where(op => m.OperatorCodeOf(op).Builtin == TfliteBuiltinOperator.MUL
            && Main.Tensors[op.Inputs[1]].Name.EndsWith("/bneck/rezero/mul", StringComparison.Ordinal)).ToList();
        Assert.Equal(15, rezero.Count);
        foreach (var op in rezero)
        {
            var values = m.Dequantize(Main.Tensors[op.Inputs[1]]).Values;
            Assert.Single(values.Distinct()); // a broadcast scalar, stored as a full-size tensor
        }
    }

    [Fact]
    public void Describe_ListsOperatorsWithShapesAndOptions()
    {
        string text = Model.Value.Describe();
        Assert.Contains("signature 'serving_default': 44 inputs, 44 outputs", text);
        Assert.Contains("op 14 CONV_2D padding=SAME stride=2x2 dilation=1x1 act=RELU6", text);
        Assert.Contains("#92 movinet_classifier/movinet/stem/stem/conv2d/conv2d/Conv2D INT8 [8,3,3,3] const q(8 ch, axis 0", text);
        Assert.Contains("op 226 DEQUANTIZE", text);
    }
}
