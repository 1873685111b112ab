using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.TSM;

/// <summary>
/// The temporal-shift-module release: main.py saves <c>{'epoch', 'arch', 'state_dict', 'best_prec1'}</c> (the readers unwrap
/// <c>state_dict</c>; 2019 files are legacy torch.save) of the <c>TSN</c> module under DataParallel, so every key is
/// <c>module.…</c> (stripped here). Keys: <c>base_model.*</c> (torchvision ResNet: <c>conv1</c>/<c>bn1</c>, <c>layerL.B.convN</c>
/// — <c>convN.net</c> where the shift wraps conv1 — <c>bnN</c>, <c>downsample.0/1</c>; TSM's MobileNetV2: <c>features.0.0/1</c>,
/// <c>features.N.conv.i</c>, the shifted expansion <c>conv.0.net</c>, the last <c>features.M.0/1</c>) and <c>new_fc</c> (Linear
/// [K, C]; test_models.py's older <c>base_model.classifier</c>/<c>base_model.fc</c> heads are read as new_fc too). Conv2d
/// weights [O, I, k, k] are our [O, I, 1, k, k]. The architecture is read from keys and shapes (backbone, depths, widths, classes,
/// shifted or not) and named tsm_r50 / tsm_mobilenetv2 when it is one; <c>--model tsm_…_online</c> loads the same file into the
/// online model.
/// </summary>
public sealed class TsmReleaseLayout : ICheckpointLayout
{
    public string Name => "temporal-shift-module";

    /// <summary>The release's main.py saves the weights under <c>state_dict</c> (written without DataParallel's prefix, which its test script strips anyway).</summary>
    public string? TorchWrapKey => "state_dict";

    private static readonly string[] HeadNames = ["new_fc", "base_model.fc", "base_model.classifier"];

    public bool Matches(NamedTensors tensors)
    {
        var names = DataParallelPrefix.Strip(tensors).Keys.ToHashSet(StringComparer.Ordinal);
        bool backbone = names.Contains("base_model.conv1.weight") && names.Contains("base_model.bn1.weight")
                        || names.Contains("base_model.features.0.0.weight");
        return backbone && HeadNames.Any(h => names.Contains($"{h}.weight"));
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var bare = Renamed(DataParallelPrefix.Strip(tensors));
        var inferred = Infer(bare, source);
        TsmConfig config;
        if (hints.Architecture is { } custom)
            config = custom as TsmConfig ?? throw new ArgumentException($"{source} holds a TSM network; the given config is a '{custom.Family}' model.");
        else if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            config = entry.Config as TsmConfig
                ?? throw new ArgumentException($"{source} holds a TSM network (tsm_r50, tsm_mobilenetv2 and their _online forms), not a '{entry.Family}' model.");
        }
        else config = TsmSpecs.Names.Select(TsmSpecs.Get).FirstOrDefault(s => !s.Online && s.SameWeights(inferred)) is { } published
            ? published : inferred;
        return StrictLoader.Build(config with { NumClasses = inferred.NumClasses }, bare, m => TorchScalarShapes.Lenient(Mappings((TsmNet)m)), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var tsm = model as TsmNet ?? throw new ArgumentException($"The temporal-shift-module layout holds TSM networks, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(tsm))) result.Add(name, tensor.clone());
        return result;
    }

    /// <summary>The older heads (dropout 0: base_model.fc; test_models.py's base_model.classifier) under TSN's new_fc name.</summary>
    private static Dictionary<string, Tensor> Renamed(IReadOnlyDictionary<string, Tensor> bare)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        bool hasNewFc = bare.ContainsKey("new_fc.weight");
        foreach (var (name, tensor) in bare)
        {
            string target = name;
            if (!hasNewFc)
                foreach (var head in HeadNames.Skip(1))
                    if (name.StartsWith(head + ".", StringComparison.Ordinal)) target = "new_fc" + name[head.Length..];
            result[target] = tensor;
        }
        return result;
    }

    /// <summary>The architecture the keys and shapes describe (strides and the shift divisor are TSM's, which weights cannot show).</summary>
    public static TsmConfig Infer(IReadOnlyDictionary<string, Tensor> bare, string source)
    {
        // Widths come from these tensors' shapes: an empty or scalar one (a hostile file) could claim any size.
        Tensor Get(string key) => !bare.TryGetValue(key, out var t)
            ? throw new InvalidDataException($"{source} is not a complete TSM (temporal-shift-module) state dict: it has no '{key}'.")
            : t.dim() < 2 || t.numel() == 0 ? throw new InvalidDataException($"{source}: '{key}' is empty or not a weight matrix, shape [{string.Join(", ", t.shape)}].") : t;
        string Conv(string key) => bare.ContainsKey($"{key}.net.weight") ? $"{key}.net.weight" : $"{key}.weight";
        bool shift = bare.Keys.Any(k => k.Contains(".net.", StringComparison.Ordinal));
        int classes = (int)Get("new_fc.weight").shape[0];
        TsmConfig config;
        if (bare.ContainsKey("base_model.conv1.weight"))
        {
            var blocks = new List<int>();
            var widths = new List<int>();
            for (int l = 1; bare.ContainsKey($"base_model.layer{l}.0.bn1.weight"); l++)
            {
                int count = 0;
                while (bare.ContainsKey($"base_model.layer{l}.{count}.bn1.weight")) count++;
                blocks.Add(count);
                widths.Add((int)Get(Conv($"base_model.layer{l}.0.conv1")).shape[0]);
            }
            if (blocks.Count == 0) throw new InvalidDataException($"{source} has no 'base_model.layer1.0.bn1.weight', so it is not a TSM ResNet.");
            config = new TsmConfig
            {
                Name = "custom", NumClasses = classes, Backbone = TsmBackbone.ResNet, Shift = shift,
                StemChannels = (int)Get("base_model.conv1.weight").shape[0], Blocks = blocks, Widths = widths,
            };
        }
        else
        {
            var outputs = new List<(int Expansion, int Channels)>();
            int n = 1;
            for (; bare.ContainsKey($"base_model.features.{n}.conv.1.weight"); n++)
            {
                string prefix = $"base_model.features.{n}.conv";
                if (bare.ContainsKey($"{prefix}.6.weight"))
                {
                    var expand = Get(Conv($"{prefix}.0"));
                    long ratio = expand.shape[1] == 0 ? 0 : expand.shape[0] / expand.shape[1];
                    outputs.Add(((int)ratio, (int)Get($"{prefix}.6.weight").shape[0]));
                }
                else outputs.Add((1, (int)Get($"{prefix}.3.weight").shape[0]));
            }
            // Strides cannot be read from weights: the file must follow MobileNetV2's table of t, n, s (any widths).
            var table = TsmConfig.MobileNetV2Stages;
            if (outputs.Count != table.Sum(s => s.Repeats))
                throw new InvalidDataException($"{source} has {outputs.Count} inverted residuals in base_model.features, not MobileNetV2's {table.Sum(s => s.Repeats)}.");
            var stages = new List<MobileStage>();
            int index = 0;
            foreach (var row in table)
            {
                var (expansion, channels) = outputs[index];
                for (int i = 0; i < row.Repeats; i++, index++)
                    if (outputs[index] != (row.Expansion, channels))
                        throw new InvalidDataException($"{source}: base_model.features.{index + 1} has expansion {outputs[index].Expansion} and {outputs[index].Channels} " +
                                                       $"outputs; MobileNetV2's table wants expansion {row.Expansion} and the stage's {channels}.");
                stages.Add(row with { Channels = channels });
            }
            config = new TsmConfig
            {
                Name = "custom", NumClasses = classes, Backbone = TsmBackbone.MobileNetV2, Shift = shift,
                StemChannels = (int)Get("base_model.features.0.0.weight").shape[0], Stages = stages,
                LastChannels = (int)Get($"base_model.features.{n}.0.weight").shape[0],
            };
        }
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source} is not a TSM state dict: {e.Message}"); }
        return config;
    }

    /// <summary>Every (upstream key → model key, reshaping) pair for <paramref name="model"/>, in the TSN state-dict order.</summary>
    public static IEnumerable<KeyMapping> Mappings(TsmNet model)
    {
        IEnumerable<KeyMapping> Unit(string conv, string? norm, string ours, ConvUnit unit) =>
            TorchConvNormKeys.Map(conv, norm, ours, unit, Conv2dAsConv3d, t => t.squeeze(2));

        if (model.Spec.Backbone == TsmBackbone.ResNet)
        {
            foreach (var m in Unit("base_model.conv1", "base_model.bn1", "conv1", model.Stem)) yield return m;
            for (int l = 0; l < model.Layers.Count; l++)
                for (int b = 0; b < model.Layers[l].Count; b++)
                {
                    var block = model.Layers[l][b];
                    string up = $"base_model.layer{l + 1}.{b}", ours = $"layer{l + 1}.{b}.body";
                    foreach (var m in Unit(block.Shift is null ? $"{up}.conv1" : $"{up}.conv1.net", $"{up}.bn1", $"{ours}.conv1", block.Conv1)) yield return m;
                    foreach (var m in Unit($"{up}.conv2", $"{up}.bn2", $"{ours}.conv2", block.Conv2)) yield return m;
                    foreach (var m in Unit($"{up}.conv3", $"{up}.bn3", $"{ours}.conv3", block.Conv3)) yield return m;
                    if (block.Downsample is { } d)
                        foreach (var m in Unit($"{up}.downsample.0", $"{up}.downsample.1", $"{ours}.downsample", d)) yield return m;
                }
        }
        else
        {
            foreach (var m in Unit("base_model.features.0.0", "base_model.features.0.1", "features.0", model.Stem)) yield return m;
            for (int i = 0; i < model.Blocks.Count; i++)
            {
                var block = model.Blocks[i];
                string up = $"base_model.features.{i + 1}.conv", ours = $"features.{i + 1}.body";
                int next = 0;
                if (block.Expand is { } expand)
                {
                    foreach (var m in Unit(block.Shift is null ? $"{up}.0" : $"{up}.0.net", $"{up}.1", $"{ours}.expand", expand)) yield return m;
                    next = 3;
                }
                foreach (var m in Unit($"{up}.{next}", $"{up}.{next + 1}", $"{ours}.depthwise", block.Depthwise)) yield return m;
                foreach (var m in Unit($"{up}.{next + 3}", $"{up}.{next + 4}", $"{ours}.project", block.Project)) yield return m;
            }
            int last = model.Blocks.Count + 1;
            foreach (var m in Unit($"base_model.features.{last}.0", $"base_model.features.{last}.1", $"features.{last}", model.LastConv!)) yield return m;
        }
        // Linear [K, C] ↔ the per-frame 1×1×1 conv's [K, C, 1, 1, 1]; other ranks pass through, so the strict loader names them.
        foreach (var m in TorchConvNormKeys.Map("new_fc", null, "head.fc", model.Fc, LinearAsConv, t => t.reshape(t.shape[0], t.shape[1]))) yield return m;
    }

    private static Tensor Conv2dAsConv3d(Tensor t) => t.dim() == 4 ? t.unsqueeze(2) : t;

    private static Tensor LinearAsConv(Tensor t) => t.dim() == 2 ? t.reshape(t.shape[0], t.shape[1], 1, 1, 1) : t;
}
