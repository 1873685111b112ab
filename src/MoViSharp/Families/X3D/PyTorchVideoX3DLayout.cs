using System.Text.RegularExpressions;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.X3D;

/// <summary>
/// PyTorchVideo's X3D state dict, as its hub <c>.pyth</c> files hold it (<c>{"model_state": state_dict}</c>, unwrapped by the
/// torch reader; a DataParallel <c>module.</c> prefix is stripped): <c>blocks.0</c> the stem (its <c>conv.conv_t</c> is the
/// <b>spatial</b> 1×3×3 conv and <c>conv.conv_xy</c> the temporal one, PyTorchVideo's naming), <c>blocks.1…4.res_blocks.B</c> with
/// <c>branch1_conv</c>/<c>branch1_norm</c>, <c>branch2.conv_a/norm_a</c>, <c>conv_b</c>/<c>norm_b.0</c>, SE <c>norm_b.1.block.0/2</c>,
/// <c>conv_c/norm_c</c>, and <c>blocks.5</c> the head (<c>pool.pre_conv/pre_norm/post_conv</c>, <c>proj</c> Linear [K, C]).
/// The widths, depths and classes are read from the shapes; the clip the head pool is built for is not in the file: X3D-XS, -S
/// and -M share every shape, so the model is the hinted one, else the one the file name says (<c>X3D_XS.pyth</c>, …), else the
/// architecture's only registered match (X3D-L), else X3D-M's clip.
/// </summary>
public sealed class PyTorchVideoX3DLayout : ICheckpointLayout
{
    public string Name => "pytorchvideo";

    /// <summary>PyTorchVideo's hub files hold the state dict under <c>model_state</c>.</summary>
    public string? TorchWrapKey => "model_state";

    public bool Matches(NamedTensors tensors)
    {
        var names = DataParallelPrefix.Strip(tensors).Keys.ToHashSet(StringComparer.Ordinal);
        return names.Contains("blocks.0.conv.conv_t.weight") && names.Contains("blocks.0.conv.conv_xy.weight")
            && names.Contains("blocks.1.res_blocks.0.branch2.conv_a.weight");
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var bare = DataParallelPrefix.Strip(tensors);
        var inferred = Infer(bare, source);
        X3DConfig config;
        if (hints.Architecture is { } custom)
            config = custom as X3DConfig ?? throw new ArgumentException($"{source} holds a PyTorchVideo X3D; the given config is a '{custom.Family}' model.");
        else if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            config = entry.Config as X3DConfig
                ?? throw new ArgumentException($"{source} holds a PyTorchVideo X3D (x3d_xs, x3d_s, x3d_m, x3d_l), not a '{entry.Family}' model.");
        }
        else config = Registered(inferred, source);
        return StrictLoader.Build(config with { NumClasses = inferred.NumClasses }, bare, m => Mappings((X3DNet)m), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var x3d = model as X3DNet ?? throw new ArgumentException($"The PyTorchVideo X3D layout holds X3D models, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(x3d))) result.Add(name, tensor.clone());
        return result;
    }

    private static readonly Regex SizeInName = new(@"x3d[_\-]?(xl|xs|s|m|l)(?![a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The published model the file is (by its name when its shapes allow several), else the architecture as "custom".</summary>
    private static X3DConfig Registered(X3DConfig inferred, string source)
    {
        var candidates = X3DSpecs.Names.Select(X3DSpecs.Get).Where(spec => spec.SameWeights(inferred)).ToList();
        if (candidates.Count == 0) return inferred;
        var named = SizeInName.Match(Path.GetFileName(source));
        if (named.Success && candidates.FirstOrDefault(c => c.Name == "x3d_" + named.Groups[1].Value.ToLowerInvariant()) is { } byName) return byName;
        return candidates.Count == 1 ? candidates[0] : candidates.First(c => c.Name == "x3d_m");
    }

    /// <summary>The architecture the keys and shapes describe, with X3D-M's clip (16×224²), which the weights cannot show.</summary>
    public static X3DConfig Infer(IReadOnlyDictionary<string, Tensor> bare, string source)
    {
        // Widths come from these tensors' first dimension: an empty or scalar one (a hostile file) could claim any size.
        Tensor Get(string key) => !bare.TryGetValue(key, out var t)
            ? throw new InvalidDataException($"{source} is not a complete PyTorchVideo X3D state dict: it has no '{key}'.")
            : t.dim() == 0 || t.numel() == 0 ? throw new InvalidDataException($"{source}: '{key}' is empty or a scalar, not a weight.") : t;
        var widths = new List<int>();
        var inner = new List<int>();
        var depths = new List<int>();
        var se = new List<int>();
        int stage = 1;
        for (; bare.ContainsKey($"blocks.{stage}.res_blocks.0.branch2.conv_a.weight"); stage++)
        {
            int count = 0;
            while (bare.ContainsKey($"blocks.{stage}.res_blocks.{count}.branch2.conv_a.weight")) count++;
            depths.Add(count);
            string first = $"blocks.{stage}.res_blocks.0.branch2";
            inner.Add((int)Get($"{first}.conv_a.weight").shape[0]);
            widths.Add((int)Get($"{first}.conv_c.weight").shape[0]);
            se.Add(bare.ContainsKey($"{first}.norm_b.1.block.0.weight") ? (int)Get($"{first}.norm_b.1.block.0.weight").shape[0] : 0);
        }
        if (depths.Count == 0) throw new InvalidDataException($"{source} has no 'blocks.1.res_blocks.0.branch2.conv_a.weight', so it is not a PyTorchVideo X3D.");
        string head = $"blocks.{stage}";
        var stemTemporal = Get("blocks.0.conv.conv_xy.weight");
        var blockTemporal = Get("blocks.1.res_blocks.0.branch2.conv_b.weight");
        var config = X3DSpecs.Get("x3d_m") with
        {
            Name = "custom",
            NumClasses = (int)Get($"{head}.proj.weight").shape[0],
            StemWidth = (int)Get("blocks.0.conv.conv_t.weight").shape[0],
            StageWidths = widths, InnerWidths = inner, Depths = depths, SeWidths = se,
            HeadInnerWidth = (int)Get($"{head}.pool.pre_conv.weight").shape[0],
            HeadWidth = (int)Get($"{head}.pool.post_conv.weight").shape[0],
            StemTemporalKernel = stemTemporal.dim() == 5 ? (int)stemTemporal.shape[2] : 5,
            BlockTemporalKernel = blockTemporal.dim() == 5 ? (int)blockTemporal.shape[2] : 3,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source} is not a PyTorchVideo X3D state dict: {e.Message}"); }
        return config;
    }

    /// <summary>Every (PyTorchVideo key → model key, reshaping) pair for <paramref name="model"/>, in PyTorchVideo's state-dict order.</summary>
    public static IEnumerable<KeyMapping> Mappings(X3DNet model)
    {
        IEnumerable<KeyMapping> Bn(string norm, string unit) =>
            TorchConvNormKeys.BatchNormEntries.Select(e => new KeyMapping($"{norm}.{e}", $"{unit}.bn.{e}"));

        // The stem: PyTorchVideo's conv_t is the spatial conv (no norm of its own), conv_xy the temporal one, then blocks.0.norm.
        yield return new KeyMapping("blocks.0.conv.conv_t.weight", "stem.spatial.weight");
        yield return new KeyMapping("blocks.0.conv.conv_xy.weight", "stem.temporal.weight");
        foreach (var m in Bn("blocks.0.norm", "stem.temporal")) yield return m;
        for (int s = 0; s < model.Stages.Count; s++)
            for (int b = 0; b < model.Stages[s].Count; b++)
            {
                var block = model.Stages[s][b];
                string upstream = $"blocks.{s + 1}.res_blocks.{b}", ours = $"res{s + 2}.{b}.body";
                if (block.Shortcut is { } shortcut)
                    foreach (var m in TorchConvNormKeys.Map($"{upstream}.branch1_conv", $"{upstream}.branch1_norm", $"{ours}.branch1", shortcut)) yield return m;
                foreach (var m in TorchConvNormKeys.Map($"{upstream}.branch2.conv_a", $"{upstream}.branch2.norm_a", $"{ours}.conv_a", block.ConvA)) yield return m;
                foreach (var m in TorchConvNormKeys.Map($"{upstream}.branch2.conv_b", $"{upstream}.branch2.norm_b.0", $"{ours}.conv_b", block.ConvB)) yield return m;
                if (block.Se is not null)
                {
                    // fvcore's SE: block = Sequential(conv reduce, ReLU, conv expand, Sigmoid), both convs with bias.
                    yield return new KeyMapping($"{upstream}.branch2.norm_b.1.block.0.weight", $"{ours}.se.reduce.weight");
                    yield return new KeyMapping($"{upstream}.branch2.norm_b.1.block.0.bias", $"{ours}.se.reduce.bias");
                    yield return new KeyMapping($"{upstream}.branch2.norm_b.1.block.2.weight", $"{ours}.se.expand.weight");
                    yield return new KeyMapping($"{upstream}.branch2.norm_b.1.block.2.bias", $"{ours}.se.expand.bias");
                }
                foreach (var m in TorchConvNormKeys.Map($"{upstream}.branch2.conv_c", $"{upstream}.branch2.norm_c", $"{ours}.conv_c", block.ConvC)) yield return m;
            }
        string head = $"blocks.{model.Stages.Count + 1}";
        foreach (var m in TorchConvNormKeys.Map($"{head}.pool.pre_conv", $"{head}.pool.pre_norm", "head.pre_conv", model.HeadPreConv)) yield return m;
        yield return new KeyMapping($"{head}.pool.post_conv.weight", "head.post_conv.weight");
        // Linear [K, C] on channels-last features ↔ the 1×1×1 conv's [K, C, 1, 1, 1]; other ranks pass through for the strict loader.
        foreach (var m in TorchConvNormKeys.Map($"{head}.proj", null, "head.proj", model.Classifier, LinearAsConv, ConvAsLinear)) yield return m;
    }

    internal static Tensor LinearAsConv(Tensor t) => t.dim() == 2 ? t.reshape(t.shape[0], t.shape[1], 1, 1, 1) : t;

    internal static Tensor ConvAsLinear(Tensor t) => t.reshape(t.shape[0], t.shape[1]);
}
