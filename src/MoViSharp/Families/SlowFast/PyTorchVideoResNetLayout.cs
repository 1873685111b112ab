using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.SlowFast;

/// <summary>
/// PyTorchVideo's Slow and SlowFast state dicts, as its hub <c>.pyth</c> files hold them (<c>{"model_state": state_dict}</c>,
/// unwrapped by the torch reader; a DataParallel <c>module.</c> prefix is stripped). Slow (<c>create_resnet</c>): <c>blocks.0</c>
/// the stem (<c>conv</c>, <c>norm</c>), <c>blocks.1…4.res_blocks.B</c> (<c>branch1_conv/branch1_norm</c>, <c>branch2.conv_a/norm_a</c>,
/// <c>conv_b/norm_b</c>, <c>conv_c/norm_c</c>), <c>blocks.5.proj</c> (Linear [K, C]). SlowFast (<c>create_slowfast</c>): the same
/// parts under <c>blocks.L.multipathway_blocks.0</c> (slow) and <c>.1</c> (fast), the fusions at
/// <c>blocks.L.multipathway_fusion.conv_fast_to_slow/norm</c>, and <c>blocks.6.proj</c>. Depths, widths, kernels and classes are
/// read from the shapes; the clip (which the weights cannot show) is the registered model's when the shapes are one's, else
/// the hub's 8×8 clip at 224².
/// </summary>
public sealed class PyTorchVideoResNetLayout : ICheckpointLayout
{
    public string Name => "pytorchvideo";

    /// <summary>PyTorchVideo's hub files hold the state dict under <c>model_state</c>.</summary>
    public string? TorchWrapKey => "model_state";

    public bool Matches(NamedTensors tensors)
    {
        var names = DataParallelPrefix.Strip(tensors).Keys.ToHashSet(StringComparer.Ordinal);
        return names.Contains("blocks.0.conv.weight") && names.Contains("blocks.1.res_blocks.0.branch2.conv_b.weight")
            || names.Contains("blocks.0.multipathway_blocks.0.conv.weight") && names.Contains("blocks.0.multipathway_fusion.conv_fast_to_slow.weight");
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var bare = DataParallelPrefix.Strip(tensors);
        var inferred = Infer(bare, source);
        SlowFastConfig config;
        if (hints.Architecture is { } custom)
            config = custom as SlowFastConfig ?? throw new ArgumentException($"{source} holds a PyTorchVideo Slow/SlowFast; the given config is a '{custom.Family}' model.");
        else if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            config = entry.Config as SlowFastConfig
                ?? throw new ArgumentException($"{source} holds a PyTorchVideo {(inferred.HasFast ? "SlowFast" : "Slow")} ResNet, not a '{entry.Family}' model.");
        }
        else config = SlowFastSpecs.Names.Select(SlowFastSpecs.Get).FirstOrDefault(spec => spec.SameWeights(inferred)) ?? inferred;
        return StrictLoader.Build(config with { NumClasses = inferred.NumClasses }, bare, m => Mappings((SlowFastNet)m), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var net = model as SlowFastNet ?? throw new ArgumentException($"The PyTorchVideo Slow/SlowFast layout holds Slow/SlowFast models, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(net))) result.Add(name, tensor.clone());
        return result;
    }

    /// <summary>The architecture the keys and shapes describe (PyTorchVideo's spatial strides 1, 2, 2, 2 and α = 4, which weights cannot show).</summary>
    public static SlowFastConfig Infer(IReadOnlyDictionary<string, Tensor> bare, string source)
    {
        // Widths come from these tensors' first dimension: an empty or scalar one (a hostile file) could claim any size.
        Tensor Get(string key) => !bare.TryGetValue(key, out var t)
            ? throw new InvalidDataException($"{source} is not a complete PyTorchVideo ResNet state dict: it has no '{key}'.")
            : t.dim() != 5 && !key.EndsWith("proj.weight", StringComparison.Ordinal) || t.numel() == 0
                ? throw new InvalidDataException($"{source}: '{key}' is not a convolution weight (shape [{string.Join(", ", t.shape)}]).") : t;
        bool fast = bare.ContainsKey("blocks.0.multipathway_blocks.0.conv.weight");
        string Pathway(int level, int p) => fast ? $"blocks.{level}.multipathway_blocks.{p}" : $"blocks.{level}";
        var depths = new List<int>();
        var slowKernels = new List<int>();
        var fastKernels = new List<int>();
        int stage = 1;
        for (; bare.ContainsKey($"{Pathway(stage, 0)}.res_blocks.0.branch2.conv_a.weight"); stage++)
        {
            int count = 0;
            while (bare.ContainsKey($"{Pathway(stage, 0)}.res_blocks.{count}.branch2.conv_a.weight")) count++;
            depths.Add(count);
            slowKernels.Add((int)Get($"{Pathway(stage, 0)}.res_blocks.0.branch2.conv_a.weight").shape[2]);
            if (fast) fastKernels.Add((int)Get($"{Pathway(stage, 1)}.res_blocks.0.branch2.conv_a.weight").shape[2]);
        }
        if (depths.Count == 0) throw new InvalidDataException($"{source} has no '{Pathway(1, 0)}.res_blocks.0.branch2.conv_a.weight', so it is not a PyTorchVideo ResNet.");
        var slowStem = Get($"{Pathway(0, 0)}.conv.weight");
        var baseConfig = SlowFastSpecs.Get(fast ? "slowfast_r50" : "slow_r50");
        var config = baseConfig with
        {
            Name = "custom",
            NumClasses = (int)Get($"blocks.{stage + (fast ? 1 : 0)}.proj.weight").shape[0],
            Depths = depths,
            StemWidth = (int)slowStem.shape[0],
            SlowStemTemporalKernel = (int)slowStem.shape[2],
            SlowConvAKernels = slowKernels,
        };
        if (fast)
        {
            var fastStem = Get($"{Pathway(0, 1)}.conv.weight");
            var fusion = Get("blocks.0.multipathway_fusion.conv_fast_to_slow.weight");
            config = config with
            {
                FastChannelRatio = (int)(slowStem.shape[0] / Math.Max(1, fastStem.shape[0])),
                FastStemTemporalKernel = (int)fastStem.shape[2],
                FastConvAKernels = fastKernels,
                FusionKernel = (int)fusion.shape[2],
                FusionChannelRatio = (int)(fusion.shape[0] / Math.Max(1, fastStem.shape[0])),
            };
        }
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source} is not a PyTorchVideo ResNet state dict: {e.Message}"); }
        return config;
    }

    /// <summary>Every (PyTorchVideo key → model key, reshaping) pair for <paramref name="model"/>, in PyTorchVideo's state-dict order.</summary>
    public static IEnumerable<KeyMapping> Mappings(SlowFastNet model)
    {
        IEnumerable<KeyMapping> Stem(string upstream, string ours, Sequential stem) =>
            TorchConvNormKeys.Map($"{upstream}.conv", $"{upstream}.norm", $"{ours}.conv", (ConvUnit)stem.Items[0].Module);

        IEnumerable<KeyMapping> Stage(string upstream, string ours, Sequential stage)
        {
            foreach (var (b, module) in stage.Items)
            {
                var block = (ResNetBottleneck)module;
                string u = $"{upstream}.res_blocks.{b}", o = $"{ours}.{b}.body";
                if (block.Shortcut is { } shortcut)
                    foreach (var m in TorchConvNormKeys.Map($"{u}.branch1_conv", $"{u}.branch1_norm", $"{o}.branch1", shortcut)) yield return m;
                foreach (var m in TorchConvNormKeys.Map($"{u}.branch2.conv_a", $"{u}.branch2.norm_a", $"{o}.conv_a", block.ConvA)) yield return m;
                foreach (var m in TorchConvNormKeys.Map($"{u}.branch2.conv_b", $"{u}.branch2.norm_b", $"{o}.conv_b", block.ConvB)) yield return m;
                foreach (var m in TorchConvNormKeys.Map($"{u}.branch2.conv_c", $"{u}.branch2.norm_c", $"{o}.conv_c", block.ConvC)) yield return m;
            }
        }

        IEnumerable<KeyMapping> Level(int level, StreamModule part, string upstream, string ours) =>
            level == 0 ? Stem(upstream, ours, (Sequential)part) : Stage(upstream, ours, (Sequential)part);

        IEnumerable<KeyMapping> All()
        {
            int levels;
            if (model.Pathways is { } pathways)
            {
                levels = pathways.Levels.Count;
                for (int l = 0; l < levels; l++)
                {
                    var (slow, fast, fusion) = pathways.Levels[l];
                    string name = l == 0 ? "stem" : $"res{l + 1}";
                    foreach (var m in Level(l, slow, $"blocks.{l}.multipathway_blocks.0", $"pathways.slow_{name}")) yield return m;
                    foreach (var m in Level(l, fast, $"blocks.{l}.multipathway_blocks.1", $"pathways.fast_{name}")) yield return m;
                    if (fusion is not null)
                        foreach (var m in TorchConvNormKeys.Map($"blocks.{l}.multipathway_fusion.conv_fast_to_slow", $"blocks.{l}.multipathway_fusion.norm",
                                     $"pathways.fusion_{name}", fusion))
                            yield return m;
                }
                levels++;           // PyTorchVideo's PoolConcatPathway holds no weights but takes a block index
            }
            else
            {
                var stem = (Sequential)model.Items.First(i => i.Name == "stem").Module;
                foreach (var m in Stem("blocks.0", "stem", stem)) yield return m;
                for (int s = 0; s < model.Stages.Count; s++)
                    foreach (var m in Stage($"blocks.{s + 1}", $"res{s + 2}", model.Stages[s])) yield return m;
                levels = model.Stages.Count + 1;
            }
            // Linear [K, C] on channels-last features ↔ the 1×1×1 conv's [K, C, 1, 1, 1]; other ranks pass through for the strict loader.
            foreach (var m in TorchConvNormKeys.Map($"blocks.{levels}.proj", null, "head.proj", model.Classifier, LinearAsConv, ConvAsLinear)) yield return m;
        }
        return All();
    }

    internal static Tensor LinearAsConv(Tensor t) => t.dim() == 2 ? t.reshape(t.shape[0], t.shape[1], 1, 1, 1) : t;

    internal static Tensor ConvAsLinear(Tensor t) => t.reshape(t.shape[0], t.shape[1]);
}
