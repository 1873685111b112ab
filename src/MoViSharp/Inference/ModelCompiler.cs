using MoViSharp.Classification;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Profiling;
using MoViSharp.Weights;
using MoViSharp.Weights.Layouts;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// Turns any model built from the shared blocks into its fast inference form, rule by rule: BatchNorm and ReZero folded into
/// convolutions, causal temporal convolutions on ring buffers, running-sum pools, fused squeeze-excitation, the SIMD depthwise
/// kernel where it measures faster. Modules no rule knows run in their plain form (<see cref="PlainStep"/>), so a new family
/// runs compiled, unfused, on day one. Clip inference gets the BatchNorm-folded model (<see cref="FoldForClips"/>).
/// </summary>
public static class ModelCompiler
{
    /// <summary>The built-in rules, most specific first; a family adds its own through <see cref="CompileOptions.Rules"/>.</summary>
    public static IReadOnlyList<ICompileRule> BuiltInRules { get; } =
        [new ResidualRule(), new SequentialRule(), new ConvUnitRule(), new SqueezeExcitationRule(), new PoolingAndIdentityRule()];

    public static IReadOnlyList<IPairCompileRule> BuiltInPairRules { get; } = [new DepthwisePairRule()];

    /// <summary>The compiled classifier for <paramref name="model"/> (which stays usable; weights are copied).</summary>
    public static CompiledModel Compile(VideoModel model, IReadOnlyList<string>? labels = null, CompileOptions? options = null) =>
        new(model, labels, options ?? CompileOptions.Default);

    /// <summary>
    /// The classifier the commands use for a loaded model: compiled by default, the plain model with <paramref name="plain"/>; it
    /// owns the model. <paramref name="normalizeInput"/> false: inputs are already the network's input (no mean/std).
    /// </summary>
    public static IVideoClassifier Classifier(LoadedModel loaded, bool plain = false, CompileOptions? options = null, bool normalizeInput = true) =>
        plain ? new ModelClassifier(loaded.Model, loaded.Labels, ownsModel: true, normalizeInput)
              : new CompiledModel(loaded.Model, loaded.Labels, options ?? CompileOptions.Default, ownsModel: true, normalizeInput);

    /// <summary>Compiles the per-frame graph of <paramref name="model"/> for frames of <paramref name="height"/>×<paramref name="width"/>.</summary>
    internal static CompiledGraph CompileGraph(VideoModel model, int height, int width, CompileOptions options)
    {
        if (model.NotStreamableReason is { } reason) throw new NotSupportedException($"{model.Config.Id} cannot stream: {reason}");
        var context = new CompileContext(options, [.. options.Rules, .. BuiltInRules], BuiltInPairRules);
        using var _ = no_grad();
        var root = context.Compile(model, new VideoShape(3, 1, height, width));
        return new CompiledGraph(root, context.SlotCount, height, width);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> with every BatchNorm folded into its convolution (eval mode): the same clip logits to
    /// float rounding, one pass fewer per layer. The compiled form of models that classify whole clips.
    /// </summary>
    public static VideoModel FoldForClips(VideoModel model)
    {
        var copy = ModelRegistry.Build(model.Config);
        try
        {
            StrictLoader.Load(copy, model.state_dict(), StrictLoader.SameNames(copy), $"{model.Config.Id} (copy)");
            foreach (var unit in copy.modules().OfType<ConvUnit>())
            {
                if (unit.Norm is null) continue;
                var (w, b) = BatchNormFolding.Fold(unit);
                unit.AbsorbBatchNorm(w, b);
                w.Dispose(); b.Dispose();
            }
        }
        catch
        {
            copy.Dispose();
            throw;
        }
        copy.eval();
        // Built lazily, possibly inside a caller's dispose scope: the copy's tensors must outlive it.
        foreach (var p in copy.parameters()) p.DetachFromDisposeScope();
        foreach (var b in copy.buffers()) b.DetachFromDisposeScope();
        return copy;
    }
}
