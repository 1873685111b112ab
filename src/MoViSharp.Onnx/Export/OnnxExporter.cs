using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Onnx.Export.Families;
using MoViSharp.Onnx.Export.Rules;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// Writes any model built from the shared blocks as an ONNX graph by walking its modules with an ordered list of rules (one
/// per module kind, as the compiler walks them): clip graphs for clip models, and for stream models the plain form (every state
/// in, every new state out; MoViNets under TF's official state names) or the ring form. A module no rule knows stops the export
/// with an error naming its path and type. The graph takes the network's input (normalised as the metadata's preprocessing
/// says) and gives logits.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The built-in rules, most specific first.</summary>
    public static IReadOnlyList<IOnnxExportRule> BuiltInRules { get; } =
    [
        new ResidualExportRule(), new SequentialExportRule(), new ConvUnitExportRule(), new SqueezeExcitationExportRule(),
        new CumulativeAveragePoolExportRule(), new PositionalEncodingExportRule(), new PoolingExportRule(), new BroadcastReduceExportRule(),
        new DelayExportRule(), new DropoutExportRule(), new InputCheckExportRule(),
        new RecyclingPositionalEncodingExportRule(), new ContinualTransformerEncoderExportRule(), new LayerNormExportRule(), new TokenMlpExportRule(),
        new TemporalShiftExportRule(), new WindowAveragePoolExportRule(), new ActivationExportRule(),
    ];

    public static OnnxExport Export(VideoModel model, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        var config = model.Config;
        int height = options.Height ?? config.Preprocessing.Size, width = options.Width ?? config.Preprocessing.Size;
        int frames = options.Frames ?? config.Preprocessing.Frames;
        if (height < 1 || width < 1 || frames < 1) throw new ArgumentException("Frame size and clip length must be positive.");
        if (options.Labels is { } labels && labels.Count != config.NumClasses)
            throw new ArgumentException($"{labels.Count} labels for a model with {config.NumClasses} classes.");
        bool stream = options.Form != OnnxExportForm.Clip;
        if (stream && model.NotStreamableReason is { } reason)
            throw new OnnxExportException($"{config.Id} cannot stream, so it has no {OnnxModelInfo.FormName(options.Form)} form: {reason} Export its clip graph (--form clip).");

        IOnnxStateNaming naming = options.OfficialStateNames && model is MoViNet movinet && movinet.Spec.Causal
            ? new MoViNetOfficialStateNaming(movinet) : new ModulePathStateNaming();
        var graph = new Graph.OnnxGraph();
        var context = new OnnxExportContext(graph, options.Form, [.. options.Rules, .. FamilyExportRules.All, .. BuiltInRules], naming, options);
        using (no_grad())
        {
            OnnxActivation input = stream
                ? new(graph.Input(OnnxModelInfo.FrameInput, DataType.Float, [-1, 3, height, width]), new VideoShape(3, 1, height, width))
                : new(graph.Input(OnnxModelInfo.ClipInput, DataType.Float, [-1, 3, frames, height, width]), new VideoShape(3, frames, height, width));
            var output = context.Export(model, input);
            long classes = config.NumClasses;
            if (output.Shape.Channels != classes || output.Shape.Height != 1 || output.Shape.Width != 1)
                throw new OnnxExportException($"{config.Id}'s last part gives {output.Shape}, not logits [{classes}, T, 1, 1].");
            if (stream)
                graph.Output(graph.Node("Flatten", [output.Value], "logits_flat", attributes: [Graph.OnnxAttributes.Int("axis", 1)]),
                    OnnxModelInfo.LogitsOutput, [-1, classes]);
            else
            {
                long positions = output.Shape.Frames;
                var rows = graph.Node("Reshape", [output.Value, graph.Int64s(0, classes, positions)], "logits_rows");
                graph.Output(graph.Node("Transpose", [rows], "logits_t", attributes: [Graph.OnnxAttributes.Ints("perm", 0, 2, 1)]),
                    OnnxModelInfo.LogitsOutput, [-1, positions, classes]);
            }
        }
        if (stream) CheckEveryStateIsExported(model, context, height, width);
        var info = new OnnxModelInfo
        {
            Family = config.Family, ModelId = config.Id, Config = ConfigJson(config),
            Classes = config.NumClasses, Labels = options.Labels, Preprocessing = config.Preprocessing, Form = options.Form,
            Height = height, Width = width, Frames = stream ? 1 : frames, Delay = stream ? model.Temporal.Delay : 0,
            NotStreamableReason = model.NotStreamableReason, States = context.States, Input = stream ? OnnxModelInfo.FrameInput : OnnxModelInfo.ClipInput,
        };
        string description = $"MoViSharp {config.Id} ({config.Family}), {OnnxModelInfo.FormName(options.Form)} form, {height}×{width}" +
                             (stream ? " frames" : $", {frames}-frame clips");
        return new OnnxExport(graph, info, description);
    }

    /// <summary>The family's JSON of the configuration, or null for a model whose family is not registered.</summary>
    private static string? ConfigJson(ModelConfig config)
    {
        try { return ModelRegistry.Family(config.Family).WriteConfig(config); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Every state tensor the model declares must be a graph input: a module that keeps state no rule carried would stream wrong.</summary>
    private static void CheckEveryStateIsExported(VideoModel model, OnnxExportContext context, int height, int width)
    {
        var exported = context.States.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var missing = model.StateSpecs(1, height, width).Where(s => !exported.Contains(s.Name)).Select(s => s.Name).ToList();
        if (missing.Count > 0)
            throw new OnnxExportException($"{model.Config.Id}: the export rules did not carry state {string.Join(", ", missing)}.");
    }
}
