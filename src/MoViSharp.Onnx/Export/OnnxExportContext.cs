using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// What export rules see: the graph being built, the form, recursive export of child modules, and the model's state as graph
/// inputs and outputs (named and laid out by the <see cref="IOnnxStateNaming"/>; temporal buffers as rings in the ring form).
/// </summary>
public sealed class OnnxExportContext
{
    private readonly IReadOnlyList<IOnnxExportRule> rules;
    private readonly IOnnxStateNaming naming;
    private readonly List<OnnxStateBinding> states = [];
    private readonly HashSet<string> stateKeys = new(StringComparer.Ordinal);

    internal OnnxExportContext(OnnxGraph graph, OnnxExportForm form, IReadOnlyList<IOnnxExportRule> rules, IOnnxStateNaming naming, OnnxExportOptions options)
    {
        Graph = graph;
        Form = form;
        this.rules = rules;
        this.naming = naming;
        Options = options;
    }

    public OnnxGraph Graph { get; }
    public OnnxExportForm Form { get; }
    public OnnxExportOptions Options { get; }
    public bool IsClip => Form == OnnxExportForm.Clip;

    internal IReadOnlyList<OnnxStateBinding> States => states;

    /// <summary>Exports <paramref name="module"/> with the first rule that takes it; a module no rule knows is an error naming it.</summary>
    public OnnxActivation Export(StreamModule module, OnnxActivation input)
    {
        foreach (var rule in rules)
            if (rule.TryExport(module, input, this) is { } output) return output;
        throw new OnnxExportException(module, "no export rule knows this module type (a family exports its own modules by adding an " +
                                              "IOnnxExportRule to OnnxExportOptions.Rules)");
    }

    /// <summary>Exports modules one after another.</summary>
    public OnnxActivation ExportSequence(IEnumerable<StreamModule> modules, OnnxActivation input) =>
        modules.Aggregate(input, (x, m) => Export(m, x));

    /// <summary>The output shape of <paramref name="module"/> for <paramref name="input"/> (one frame in the stream forms).</summary>
    public VideoShape OutputShape(StreamModule module, VideoShape input)
    {
        var shape = module.Trace(input, new ModelTrace(1));
        return IsClip ? shape : shape with { Frames = 1 };
    }

    /// <summary>The ONNX dimensions of an activation of <paramref name="shape"/> (batch symbolic).</summary>
    public long[] Dims(VideoShape shape) =>
        IsClip ? [-1, shape.Channels, shape.Frames, shape.Height, shape.Width] : [-1, shape.Channels, shape.Height, shape.Width];

    /// <summary>A readable name hint for values computed by <paramref name="module"/>.</summary>
    public static string Hint(StreamModule module, string? suffix = null)
    {
        string path = module.Path.Length == 0 ? "model" : module.Path;
        return suffix is null ? path : $"{path}.{suffix}";
    }

    /// <summary>Applies <paramref name="kind"/> as ONNX nodes (HardSwish, Relu, Clip for ReLU6, x·Sigmoid(x) for swish, exact GELU).</summary>
    public OnnxValue Activate(OnnxValue x, ActivationKind kind, string hint) => kind switch
    {
        ActivationKind.Identity => x,
        ActivationKind.HardSwish => Graph.Node("HardSwish", [x], $"{hint}.hardswish"),
        ActivationKind.Relu => Graph.Node("Relu", [x], $"{hint}.relu"),
        ActivationKind.Relu6 => Graph.Node("Clip", [x, Graph.Scalar(0f, "const_zero"), Graph.Scalar(6f, "const_six")], $"{hint}.relu6"),
        ActivationKind.Sigmoid => Graph.Node("Sigmoid", [x], $"{hint}.sigmoid"),
        ActivationKind.Swish => Graph.Node("Mul", [x, Graph.Node("Sigmoid", [x], $"{hint}.sigmoid")], $"{hint}.swish"),
        ActivationKind.Gelu => Gelu(x, hint),
        _ => throw new OnnxExportException($"{hint}: no ONNX form for activation {kind}."),
    };

    private OnnxValue Gelu(OnnxValue x, string hint)
    {
        // x · ½(1 + erf(x/√2)), the exact form (opset 17 has no Gelu operator; ONNX Runtime fuses this pattern).
        var scaled = Graph.Node("Div", [x, Graph.Scalar(MathF.Sqrt(2f), "const_sqrt2")], $"{hint}.gelu_div");
        var erf = Graph.Node("Erf", [scaled], $"{hint}.gelu_erf");
        var plusOne = Graph.Node("Add", [erf, Graph.Scalar(1f, "const_one")], $"{hint}.gelu_add");
        var half = Graph.Node("Mul", [x, Graph.Scalar(0.5f, "const_half")], $"{hint}.gelu_half");
        return Graph.Node("Mul", [half, plusOne], $"{hint}.gelu");
    }

    /// <summary>
    /// A plain state tensor (a running sum, a frame count) as a graph input in MoViSharp's layout, [B, ..<paramref name="perStream"/>];
    /// give its next value with <see cref="SetState"/>.
    /// </summary>
    public OnnxValue State(string key, DataType type, long[] perStream)
    {
        RequireStream(key);
        var layout = naming.Layout(key, perStream);
        var input = Graph.Input(layout.Name, type, [-1, .. layout.OnnxShape]);
        states.Add(new OnnxStateBinding
        {
            Kind = OnnxStateBinding.PlainKind, Key = key, DType = DTypeName(type), Shape = perStream,
            Inputs = [layout.Name], Output = $"{layout.Name}_next", Permutation = layout.Permutation, OnnxShape = layout.OnnxShape,
        });
        return ToPlainLayout(input, layout, perStream);
    }

    /// <summary>The value of state <paramref name="key"/> after this step (MoViSharp's layout).</summary>
    public void SetState(string key, OnnxValue next)
    {
        var binding = states.LastOrDefault(s => s.Key == key && s.Kind == OnnxStateBinding.PlainKind)
            ?? throw new InvalidOperationException($"State '{key}' was not read before it was set.");
        var layout = new OnnxStateLayout(binding.Inputs[0], binding.Permutation!, binding.OnnxShape!);
        Graph.Output(FromPlainLayout(next, layout, binding.Shape), binding.Output, [-1, .. layout.OnnxShape]);
    }

    /// <summary>
    /// The temporal buffer <paramref name="key"/> of <paramref name="frames"/> frames before <paramref name="current"/> (a
    /// <see cref="StreamBuffer"/> or a <see cref="Streaming.Containers.Delay"/>): a ring of graph inputs in the ring form, one
    /// state tensor [B, C, n, H, W] in the plain form; the new state is written here.
    /// </summary>
    public BufferedFrames Buffer(string key, int frames, OnnxActivation current, string hint)
    {
        var s = current.Shape;
        long[] perStream = [s.Channels, frames, s.Height, s.Width];
        if (Form == OnnxExportForm.StreamRing)
        {
            RequireStream(key);
            string name = naming.Layout(key, perStream).Name;
            var inputs = Enumerable.Range(0, frames)
                .Select(j => Graph.Input($"{name}.t-{frames - j}", DataType.Float, [-1, s.Channels, s.Height, s.Width])).ToList();
            states.Add(new OnnxStateBinding
            {
                Kind = OnnxStateBinding.RingKind, Key = key, DType = "float32", Shape = perStream, Frames = frames,
                Inputs = inputs.Select(i => i.Name).ToArray(), Output = $"{name}.t",
            });
            Graph.Output(current.Value, $"{name}.t", [-1, s.Channels, s.Height, s.Width]);
            return new BufferedFrames(Graph, hint, current.Value, inputs);
        }
        var state = State(key, DataType.Float, perStream);
        var buffered = new BufferedFrames(Graph, hint, current.Value, state, frames);
        var next = Graph.Node("Slice", [buffered.Stacked(), Graph.Int64s(1), Graph.Int64s(frames + 1), Graph.Int64s(2)], $"{hint}.next_buffer");
        SetState(key, next);
        return buffered;
    }

    private void RequireStream(string key)
    {
        if (IsClip) throw new InvalidOperationException($"State '{key}' is used in a clip graph.");
        if (!stateKeys.Add(key)) throw new OnnxExportException($"State '{key}' is claimed twice while exporting.");
    }

    private OnnxValue ToPlainLayout(OnnxValue input, OnnxStateLayout layout, long[] perStream)
    {
        var permuted = layout.Permutation.Skip(1).Select(p => perStream[p - 1]).ToArray();
        var x = input;
        if (!permuted.SequenceEqual(layout.OnnxShape)) x = Graph.Node("Reshape", [x, Graph.Int64s([0, .. permuted])], $"{layout.Name}.reshaped");
        if (!layout.IsIdentityPermutation)
        {
            var inverse = new long[layout.Permutation.Length];
            for (int i = 0; i < inverse.Length; i++) inverse[layout.Permutation[i]] = i;
            x = Graph.Node("Transpose", [x], $"{layout.Name}.plain", attributes: [OnnxAttributes.Ints("perm", inverse)]);
        }
        return x;
    }

    private OnnxValue FromPlainLayout(OnnxValue plain, OnnxStateLayout layout, long[] perStream)
    {
        var permuted = layout.Permutation.Skip(1).Select(p => perStream[p - 1]).ToArray();
        var x = plain;
        if (!layout.IsIdentityPermutation)
            x = Graph.Node("Transpose", [x], $"{layout.Name}.official", attributes: [OnnxAttributes.Ints("perm", layout.Permutation.Select(p => (long)p).ToArray())]);
        if (!permuted.SequenceEqual(layout.OnnxShape)) x = Graph.Node("Reshape", [x, Graph.Int64s([0, .. layout.OnnxShape])], $"{layout.Name}.reshape_next");
        return x;
    }

    internal static string DTypeName(DataType type) => type switch
    {
        DataType.Float => "float32",
        DataType.Int32 => "int32",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "State tensors are float32 or int32."),
    };
}
