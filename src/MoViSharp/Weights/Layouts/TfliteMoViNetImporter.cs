using MoViSharp.Layers;
using MoViSharp.Families.MoViNets;
using MoViSharp.Weights.Tflite;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// Imports the mobile MoViNet stream TFLite models (TF Hub <c>movinet/a0/stream/.../tflite</c>, int8 or float) into a
/// <see cref="MoViNet"/> built from <see cref="MoViNetSpecs.Mobile"/>.
/// <para>
/// Tensors are found by following the graph: every CONV_2D / DEPTHWISE_CONV_2D is given its role by its weight's name and
/// then checked against the dataflow (expansion → spatial → [concat with the stream buffer → temporal] → projection → ReZero
/// MUL → residual ADD with the block input or the pooled skip projection; head → spatial SUM·(1/HW) → running average →
/// classifier). Weights are dequantized per channel and transposed to our 5-D layout. The file's BatchNorms are folded into
/// conv biases; we keep BN in the model as an identity (γ=1, mean 0, var 1−ε) with β = the folded bias, so that the imported
/// model can be fine-tuned. The import fails unless every weight constant of the file is used exactly once and every
/// parameter and buffer of the model is set. Every failure is a <see cref="CheckpointFormatException"/> (or, for a constant of a
/// type that cannot be converted, a <see cref="CheckpointNotSupportedException"/>), and no graph can make the import loop.
/// </para>
/// </summary>
public static class TfliteMoViNetImporter
{
    private sealed record ConvOp(TfliteOperator Op, TfliteConvRole Role, int Weight, int Bias);

    /// <summary>Loads <paramref name="path"/> into a new mobile model of <paramref name="architecture"/> (default a0).</summary>
    public static MoViNet Load(string path, string architecture = "a0") => Import(TfliteModel.Load(path), architecture);

    /// <summary>A new mobile model of <paramref name="architecture"/> holding the file's weights.</summary>
    public static MoViNet Import(TfliteModel file, string architecture = "a0")
    {
        var graph = new TfliteDataflow(file);
        // The class count is data (the logits conv's output channels); ImportInto checks everything else against the config.
        // It sizes the model we build, so it must come from a constant kernel of the file: then the file's size bounds it.
        var logits = FindConvs(graph).FirstOrDefault(c => c.Role.Kind == TfliteConvKind.ClassifierLogits);
        int classes = 600;
        if (logits is not null)
        {
            var weight = graph.Tensor(logits.Weight);
            if (!graph.IsConstant(logits.Weight) || weight.Shape.Length != 4 || weight.Shape[0] < 1)
                throw graph.Error($"the classifier logits kernel, tensor {logits.Weight} '{weight.Name}' {weight.ShapeText}, is not a constant 4-D kernel with at least one class");
            classes = weight.Shape[0];
        }
        var model = new MoViNet(MoViNetSpecs.Mobile(architecture) with { NumClasses = classes });
        try
        {
            ImportInto(file, model);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes the file's weights into <paramref name="model"/>; throws naming the tensor and layer on any mismatch.</summary>
    public static TfliteImportReport ImportInto(TfliteModel file, MoViNet model)
    {
        var graph = new TfliteDataflow(file);
        string src = file.SourceName;
        var convs = FindConvs(graph);
        var byRole = new Dictionary<TfliteConvRole, ConvOp>();
        foreach (var c in convs)
            if (!byRole.TryAdd(c.Role, c))
                throw graph.Error($"{graph.Describe(c.Op)} and {graph.Describe(byRole[c.Role].Op)} both claim {c.Role}.");

        var target = new ParameterAssignments(model, src);
        var used = new Dictionary<int, string>();
        void Use(int tensor, string purpose)
        {
            if (!used.TryAdd(tensor, purpose))
                throw graph.Error($"tensor {tensor} '{graph.Tensor(tensor).Name}' is used twice ({used[tensor]}, {purpose}).");
        }

        ConvOp Take(TfliteConvKind kind, int block = -1, int layer = -1)
        {
            var role = new TfliteConvRole(kind, block, layer);
            if (!byRole.Remove(role, out var conv))
                throw graph.Error($"no convolution for {role} in the graph (expected by {model.Config.Id}).");
            return conv;
        }

        void Require(bool condition, TfliteOperator op, string expectation)
        {
            if (!condition) throw graph.Error($"{graph.Describe(op)} breaks the expected dataflow: {expectation}.");
        }

        void SetConv(ConvUnit unit, ConvOp conv, string ourName)
        {
            Use(conv.Weight, ourName + ".weight");
            if (conv.Bias >= 0) Use(conv.Bias, ourName + " bias");
            CheckOptions(graph, conv, unit, ourName);
            AssignConv(graph, target, unit, conv, ourName, model.Spec.BatchNormEpsilon);
        }

        var stem = Take(TfliteConvKind.Stem);
        Require(graph.Source(graph.Input(stem.Op, 0, "image")) is null, stem.Op, "the stem reads the image input");
        SetConv(model.Stem, stem, "stem");
        TfliteOperator previous = stem.Op;

        int rezeros = 0, index = 0;
        for (int b = 0; b < model.Spec.Stages.Count; b++)
        {
            for (int l = 0; l < model.Spec.Stages[b].Layers.Count; l++, index++)
            {
                var layer = model.Layers[index];
                string name = $"blocks.b{b}_l{l}";
                var expansion = Take(TfliteConvKind.Expansion, b, l);
                Require(graph.Source(graph.Input(expansion.Op, 0, "input")) == previous, expansion.Op, $"{name} expansion reads the previous block's output ({graph.Describe(previous)})");
                SetConv(layer.Expansion, expansion, name + ".expansion");

                var spatial = Take(TfliteConvKind.Spatial, b, l);
                Require(graph.Source(graph.Input(spatial.Op, 0, "input")) == expansion.Op, spatial.Op, $"{name} spatial depthwise reads the expansion");
                var feature = layer.Feature;
                var last = spatial;
                if (feature.Conv is not null)
                {
                    if (feature.Conv.Kernel.Time != 1)
                        throw graph.Error($"{name} has a 3-D kernel {feature.Conv.Kernel} in the model; the file needs factorised (2+1)D convolutions.");
                    SetConv(feature.Conv, spatial, name + ".feature.conv");
                }
                else
                {
                    SetConv(feature.SpatialPart!, spatial, name + ".feature.spatial");
                    var temporal = Take(TfliteConvKind.Temporal, b, l);
                    var concat = graph.Source(graph.Input(temporal.Op, 0, "input"));
                    Require(concat is not null && graph.Kind(concat) == TfliteBuiltinOperator.CONCATENATION
                            && concat.Inputs.Any(t => graph.Source(t) == spatial.Op), temporal.Op,
                        $"{name} temporal depthwise reads CONCATENATION(stream buffer, spatial output)");
                    SetConv(feature.TemporalPart!, temporal, name + ".feature.temporal");
                    last = temporal;
                }

                var projection = Take(TfliteConvKind.Projection, b, l);
                Require(graph.Source(graph.Input(projection.Op, 0, "input")) == last.Op, projection.Op, $"{name} projection reads the depthwise feature");
                SetConv(layer.Projection, projection, name + ".projection");

                // ReZero: MUL(projection, constant) → ADD(skip, ·).
                var mul = graph.SingleUser(projection.Op, u => graph.Kind(u) == TfliteBuiltinOperator.MUL, "ReZero MUL");
                Require(mul is not null, projection.Op, $"{name} projection feeds one ReZero MUL");
                int scaleTensor = graph.SingleConstantInput(mul!, $"{name} ReZero MUL");
                if (layer.ReZeroScale is null)
                    throw graph.Error($"{name} has a ReZero MUL ('{graph.Tensor(scaleTensor).Name}') but the model has ReZero off.");
                Use(scaleTensor, name + ".rezero");
                float scale = UniformValue(file, graph.Tensor(scaleTensor));
                target.Set(layer.ReZeroScale, tensor(scale), $"{src}: tensor {scaleTensor} '{TfliteConvRole.FirstSegment(graph.Tensor(scaleTensor).Name)}'");
                rezeros++;

                var add = graph.SingleUser(mul!, u => graph.Kind(u) == TfliteBuiltinOperator.ADD, "residual ADD");
                Require(add is not null, mul!, $"{name} ReZero MUL feeds the residual ADD");
                var shortcuts = add!.Inputs.Where(t => t >= 0).Select(graph.Source).Where(s => s != mul).ToList();
                Require(shortcuts.Count == 1, add, $"{name} residual ADD adds the ReZero MUL and one shortcut");
                var shortcut = shortcuts[0];
                if (layer.Skip is not null)
                {
                    var skip = Take(TfliteConvKind.SkipProject, b, l);
                    Require(shortcut == skip.Op, add, $"{name} residual ADD takes the skip projection");
                    var pooled = graph.Source(graph.Input(skip.Op, 0, "input"));
                    if (layer.Skip.SpatialStride > 1)
                    {
                        Require(pooled is not null && graph.Kind(pooled) == TfliteBuiltinOperator.AVERAGE_POOL_2D
                                && pooled.Options is TflitePool2DOptions { FilterH: 3, FilterW: 3, Padding: TflitePadding.Same } po
                                && po.StrideH == layer.Skip.SpatialStride && graph.Source(graph.Input(pooled, 0, "input")) == previous,
                            skip.Op, $"{name} skip projection reads AVERAGE_POOL_2D 3x3/{layer.Skip.SpatialStride} SAME of the block input");
                    }
                    else Require(pooled == previous, skip.Op, $"{name} skip projection reads the block input");
                    SetConv(layer.Skip.Projection, skip, name + ".skip.projection");
                }
                else Require(shortcut == previous, add, $"{name} residual ADD takes the block input (identity skip)");
                previous = add;
            }
        }

        var head = Take(TfliteConvKind.HeadProject);
        Require(graph.Source(graph.Input(head.Op, 0, "input")) == previous, head.Op, "head project reads the last block");
        SetConv(model.Head, head, "head");
        UseHeadMean(graph, head, Use);

        var hidden = Take(TfliteConvKind.ClassifierHidden);
        var average = graph.Source(graph.Input(hidden.Op, 0, "input"));
        Require(average is not null && graph.Kind(average) == TfliteBuiltinOperator.DIV, hidden.Op,
            "the classifier reads the running average (running sum / frame count)");
        SetConv(model.Classifier.Hidden, hidden, "classifier.hidden");
        var logits = Take(TfliteConvKind.ClassifierLogits);
        Require(graph.Source(graph.Input(logits.Op, 0, "input")) == hidden.Op, logits.Op, "the logits conv reads the hidden conv");
        SetConv(model.Classifier.Logits, logits, "classifier.logits");

        if (byRole.Count > 0)
            throw graph.Error($"convolutions the model has no place for: {string.Join(", ", byRole.Values.Select(c => $"{graph.Describe(c.Op)} ({c.Role})"))}.");

        // Every learned constant (quantized or float) must have been consumed; unquantized integers are shapes and axes.
        var weights = Enumerable.Range(0, graph.Graph.Tensors.Count).Where(t => IsWeightConstant(graph, t)).ToList();
        var leftover = weights.Where(t => !used.ContainsKey(t)).ToList();
        if (leftover.Count > 0)
            throw graph.Error($"{leftover.Count} weight constants were not imported: " +
                string.Join(", ", leftover.Select(t => $"#{t} '{TfliteConvRole.FirstSegment(graph.Tensor(t).Name)}' {graph.Tensor(t).ShapeText}")));
        var missing = target.Missing;
        if (missing.Count > 0)
            throw graph.Error($"{missing.Count} entries of {model.Config.Id} were not set: {string.Join(", ", missing)}.");

        return new TfliteImportReport(src, convs.Count, rezeros, weights.Count, used.Count, target.All.Count, target.Assigned.Count);
    }

    private static List<ConvOp> FindConvs(TfliteDataflow graph)
    {
        var convs = new List<ConvOp>();
        foreach (var op in graph.Graph.Operators)
        {
            if (graph.Kind(op) is not (TfliteBuiltinOperator.CONV_2D or TfliteBuiltinOperator.DEPTHWISE_CONV_2D)) continue;
            int weight = graph.Input(op, 1, "weight"), bias = op.Inputs.Length > 2 ? op.Inputs[2] : -1;
            var role = TfliteConvRole.Parse(graph.Tensor(weight).Name)
                ?? throw graph.Error($"{graph.Describe(op)} has weight '{graph.Tensor(weight).Name}', which names no MoViNet layer.");
            if (bias >= 0 && TfliteConvRole.Parse(graph.Tensor(bias).Name) is { } biasRole && biasRole != role)
                throw graph.Error($"{graph.Describe(op)}: weight is {role} but bias '{graph.Tensor(bias).Name}' is {biasRole}.");
            convs.Add(new ConvOp(op, role, weight, bias));
        }
        return convs;
    }

    private static bool IsWeightConstant(TfliteDataflow graph, int t)
    {
        if (!graph.IsConstant(t)) return false;
        var tensor = graph.Tensor(t);
        return tensor.Quantization?.HasScale == true || tensor.Type is TfliteTensorType.Float32 or TfliteTensorType.Float16;
    }

    /// <summary>Fused activation, stride and padding of the op must match the layer it fills.</summary>
    private static void CheckOptions(TfliteDataflow graph, ConvOp conv, ConvUnit unit, string ourName)
    {
        (TflitePadding padding, int strideH, int strideW, TfliteActivation act) = conv.Op.Options switch
        {
            TfliteConv2DOptions o => (o.Padding, o.StrideH, o.StrideW, o.Activation),
            TfliteDepthwiseConv2DOptions o => (o.Padding, o.StrideH, o.StrideW, o.Activation),
            _ => throw graph.Error($"{graph.Describe(conv.Op)} has no convolution options."),
        };
        var expectedAct = unit.Activation switch
        {
            ActivationKind.Relu6 => TfliteActivation.Relu6,
            ActivationKind.Identity => TfliteActivation.None,
            _ => (TfliteActivation?)null,
        };
        bool temporal = conv.Role.Kind == TfliteConvKind.Temporal;
        var expectedPadding = temporal ? TflitePadding.Valid : TflitePadding.Same;
        int expectedStride = temporal ? 1 : unit.SpatialStride;
        if (act != expectedAct || padding != expectedPadding || strideH != expectedStride || strideW != expectedStride)
            throw graph.Error(
                $"{graph.Describe(conv.Op)} ({conv.Role}) has activation {act}, padding {padding}, stride {strideH}x{strideW}; " +
                $"the model's {ourName} has {unit.Activation}, padding {expectedPadding}, stride {expectedStride}.");
    }

    private static void AssignConv(TfliteDataflow graph, ParameterAssignments target, ConvUnit unit, ConvOp conv, string ourName, double eps)
    {
        var file = graph.Model;
        var w = file.Dequantize(graph.Tensor(conv.Weight));
        string source = $"{file.SourceName}: tensor {conv.Weight} '{TfliteConvRole.FirstSegment(w.Name)}' {graph.Tensor(conv.Weight).ShapeText}";
        if (w.Shape.Length != 4)
            throw graph.Error($"{source} is not a 4-D kernel; the model's {ourName}.weight has shape {ParameterAssignments.Shape(unit.Weight.shape)}.");
        if (conv.Bias < 0)
            throw graph.Error($"{source}: {graph.Describe(conv.Op)} has no bias; {ourName} needs its folded BatchNorm or bias.");
        using (var scope = NewDisposeScope())
        {
            var raw = tensor(w.Values, w.Shape.Select(d => (long)d).ToArray());
            var kernel = conv.Role.Kind switch
            {
                // Temporal depthwise [1,k,1,C] → [C,1,k,1,1]: kernel row 0 meets the oldest buffered frame, as in our cat([buffer, x]).
                TfliteConvKind.Temporal => raw.permute(3, 0, 1, 2).unsqueeze(-1),
                // Spatial depthwise [1,kh,kw,C] → [C,1,1,kh,kw].
                TfliteConvKind.Spatial => raw.permute(3, 0, 1, 2).unsqueeze(2),
                // Conv [O,kh,kw,I] → [O,I,1,kh,kw].
                _ => raw.permute(0, 3, 1, 2).unsqueeze(2),
            };
            target.Set(unit.Weight, kernel.contiguous(), source);

            var b = file.Dequantize(graph.Tensor(conv.Bias));
            string biasSource = $"{file.SourceName}: tensor {conv.Bias} '{TfliteConvRole.FirstSegment(b.Name)}' {graph.Tensor(conv.Bias).ShapeText}";
            if (b.Shape.Length != 1)
                throw graph.Error($"{biasSource} is not a vector of biases; the model's {ourName} needs one per output channel.");
            var bias = tensor(b.Values, b.Shape.Select(d => (long)d).ToArray());
            if (unit.Norm is { } bn)
            {
                // BN(y) = (y − 0)/sqrt((1 − ε) + ε)·1 + β = y + β: the folded bias, with BN kept for fine-tuning.
                long c = bias.shape[0];
                target.Set(bn.weight!, ones(c), biasSource + " (BN γ = 1)");
                target.Set(bn.bias!, bias, biasSource);
                target.Set(bn.running_mean!, zeros(c), biasSource + " (BN mean = 0)");
                target.Set(bn.running_var!, full(c, 1 - eps), biasSource + " (BN var = 1 − ε)");
                target.Set(bn.num_batches_tracked!, zeros(Array.Empty<long>(), ScalarType.Int64), biasSource + " (BN count)");
            }
            else if (unit.Bias is not null) target.Set(unit.Bias, bias, biasSource);
            else throw graph.Error($"{biasSource}: the model's {ourName} has neither BatchNorm nor bias to receive it.");
        }
    }

    /// <summary>
    /// The head's spatial mean is SUM(axes) · constant; our <see cref="CumulativeAveragePool"/> takes a true mean, so the constant
    /// must be 1/(number of summed cells). Marks it used once checked.
    /// </summary>
    private static void UseHeadMean(TfliteDataflow graph, ConvOp head, Action<int, string> use)
    {
        string src = graph.Model.SourceName;
        var sum = graph.SingleUser(head.Op, u => graph.Kind(u) is TfliteBuiltinOperator.SUM or TfliteBuiltinOperator.MEAN, "SUM/MEAN pooling")
            ?? throw graph.Error($"{graph.Describe(head.Op)} (head project) feeds no SUM/MEAN pooling.");
        if (graph.Kind(sum) == TfliteBuiltinOperator.MEAN) return;
        var mul = graph.SingleUser(sum, u => graph.Kind(u) == TfliteBuiltinOperator.MUL, "MUL by 1/(H·W)")
            ?? throw graph.Error($"{graph.Describe(sum)} (head pooling SUM) feeds no MUL by 1/(H·W).");
        int constant = graph.SingleConstantInput(mul, "head pooling scale");
        long summed = graph.Tensor(graph.Input(sum, 0, "input")).ElementCount, pooled = graph.Tensor(graph.Output(sum)).ElementCount;
        if (pooled == 0 || summed % pooled != 0)
            throw graph.Error($"{graph.Describe(sum)} (head pooling SUM) reduces {summed} elements to {pooled}, not a whole number of cells per output.");
        long cells = summed / pooled;
        float value = UniformValue(graph.Model, graph.Tensor(constant));
        if (Math.Abs(value * cells - 1) > 1e-3)
            throw graph.Error($"head pooling scale tensor {constant} is {value}, expected 1/{cells} (a spatial mean).");
        use(constant, "head spatial mean 1/(H·W)");
    }

    /// <summary>The one value repeated in a constant (ReZero and mean scales are stored as full-shape tensors).</summary>
    private static float UniformValue(TfliteModel file, TfliteTensor tensor)
    {
        var values = file.Dequantize(tensor).Values;
        if (values.Length == 0)
            throw new CheckpointFormatException(file.SourceName, $"tensor {tensor.Index}", $"tensor {tensor.Index} '{tensor.Name}' should hold one repeated value, but it is empty.");
        float first = values[0];
        if (values.Any(v => Math.Abs(v - first) > 1e-6f * Math.Max(1f, Math.Abs(first))))
            throw new CheckpointFormatException(file.SourceName, $"tensor {tensor.Index}", $"tensor {tensor.Index} '{tensor.Name}' should hold one repeated value, but its values differ (min {values.Min()}, max {values.Max()}).");
        return first;
    }
}
