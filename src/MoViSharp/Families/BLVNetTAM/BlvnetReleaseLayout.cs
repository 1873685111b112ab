using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// IBM/bLVNet-TAM's release (<c>&lt;dataset&gt;-bLVNet-TAM-50-a2-b4-f8x2.pth.tar</c>): the bLVNet_TAM module's bare state dict, which
/// the upstream constructor loads before DataParallel wraps it (a <c>module.</c> prefix or a <c>state_dict</c> wrapper is accepted
/// too). Keys: <c>baseline_model.conv1/bn1</c>, the stem's <c>b_conv0/bn_b0</c>, <c>l_conv0…2/bn_l0…2</c>, <c>bl_init/bn_bl_init</c>,
/// <c>tam.{prev,next,curr}</c>; <c>layerL.{big,little}.i.*</c>, <c>layerL.little_e.0/1</c>, <c>layerL.fusion.0.*</c>, <c>layerL.tam</c>
/// (L = 1…3); <c>layer4.i.*</c> with its <c>tam</c>; bottleneck shortcuts <c>downsample.{0,1,2}</c> (index 0 is the average pool when
/// strided); <c>new_fc</c> (Linear). Conv2d weights [O, I, k, k] are our [O, I, 1, k, k]. Depths, α (and β where the little
/// branches show it) and classes come from the file; the clip length (16 for f8×2) cannot, and is the published one.
/// </summary>
public sealed class BlvnetReleaseLayout : ICheckpointLayout
{
    public string Name => "blvnet-tam";

    public bool Matches(NamedTensors tensors)
    {
        var names = DataParallelPrefix.Strip(tensors).Keys.ToHashSet(StringComparer.Ordinal);
        return names.Contains("baseline_model.b_conv0.weight") && names.Contains("baseline_model.layer1.little_e.0.weight")
               && (names.Contains("new_fc.weight") || names.Contains("baseline_model.fc.weight"));
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var bare = DataParallelPrefix.Strip(tensors).ToDictionary(p => p.Key.StartsWith("baseline_model.fc.", StringComparison.Ordinal) && !tensors.Names.Any(n => n.EndsWith("new_fc.weight", StringComparison.Ordinal))
            ? "new_fc." + p.Key["baseline_model.fc.".Length..] : p.Key, p => p.Value, StringComparer.Ordinal);
        var inferred = Infer(bare, source);
        BlvnetConfig config;
        if (hints.Architecture is { } custom)
            config = custom as BlvnetConfig ?? throw new ArgumentException($"{source} holds a bLVNet-TAM; the given config is a '{custom.Family}' model.");
        else if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            config = entry.Config as BlvnetConfig ?? throw new ArgumentException($"{source} holds a bLVNet-TAM (blvnet_tam_r50), not a '{entry.Family}' model.");
        }
        else config = BlvnetFamily.Published.SameWeights(inferred) ? BlvnetFamily.Published : inferred;
        return StrictLoader.Build(config with { NumClasses = inferred.NumClasses }, bare, m => TorchScalarShapes.Lenient(Mappings((BlvnetNet)m)), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var net = model as BlvnetNet ?? throw new ArgumentException($"The blvnet-tam layout holds bLVNet-TAM models, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(net))) result.Add(name, tensor.clone());
        return result;
    }

    /// <summary>The architecture the keys and shapes describe.</summary>
    public static BlvnetConfig Infer(IReadOnlyDictionary<string, Tensor> bare, string source)
    {
        Tensor Get(string key) => !bare.TryGetValue(key, out var t)
            ? throw new InvalidDataException($"{source} is not a complete bLVNet-TAM state dict: it has no '{key}'.")
            : t.dim() < 2 || t.numel() == 0 ? throw new InvalidDataException($"{source}: '{key}' is empty or not a weight matrix, shape [{string.Join(", ", t.shape)}].") : t;
        int Count(string prefix)
        {
            int n = 0;
            while (bare.ContainsKey($"{prefix}.{n}.bn1.weight")) n++;
            return n;
        }
        long littleWidth = Get("baseline_model.l_conv0.weight").shape[0];
        if (littleWidth < 1 || BlvnetConfig.StemChannels % littleWidth != 0)
            throw new InvalidDataException($"{source}: baseline_model.l_conv0 has {littleWidth} filters, which divides no α into the stem's 64.");
        var layers = new List<int>();
        var little = new List<int>();
        for (int l = 1; l <= 3; l++)
        {
            int big = Count($"baseline_model.layer{l}.big");
            if (big == 0) throw new InvalidDataException($"{source} has no 'baseline_model.layer{l}.big.0.bn1.weight', so it is not a bLVNet-TAM state dict.");
            layers.Add(big + 1);
            little.Add(Count($"baseline_model.layer{l}.little"));
        }
        layers.Add(Count("baseline_model.layer4"));
        // β shows only through the little depths max(1, blocks/β − 1); the published 4 when it fits.
        var candidates = Enumerable.Range(1, 64).Where(b => layers.Take(3).Zip(little).All(p => Math.Max(1, p.First / b - 1) == p.Second)).ToList();
        if (candidates.Count == 0)
            throw new InvalidDataException($"{source}: little branches of [{string.Join(", ", little)}] blocks fit no β for layers of [{string.Join(", ", layers.Take(3))}] blocks.");
        var config = new BlvnetConfig
        {
            Name = "custom", NumClasses = (int)Get("new_fc.weight").shape[0], Layers = layers,
            Alpha = (int)(BlvnetConfig.StemChannels / littleWidth), Beta = candidates.Contains(4) ? 4 : candidates[0],
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source} is not a bLVNet-TAM state dict: {e.Message}"); }
        return config;
    }

    /// <summary>Every (upstream key → model key, reshaping) pair for <paramref name="model"/>, in bLVNet_TAM's state-dict order.</summary>
    public static IEnumerable<KeyMapping> Mappings(BlvnetNet model)
    {
        const string B = "baseline_model";
        static IEnumerable<KeyMapping> Unit(string conv, string? norm, string ours, ConvUnit unit) =>
            TorchConvNormKeys.Map(conv, norm, ours, unit, t => t.dim() == 4 ? t.unsqueeze(2) : t, t => t.squeeze(2));

        // Registration order upstream: prev, next, curr.
        static IEnumerable<KeyMapping> Tam(string up, string ours, TemporalAggregation tam) =>
            Unit($"{up}.prev", null, $"{ours}.prev", tam.Prev).Concat(Unit($"{up}.next", null, $"{ours}.next", tam.Next)).Concat(Unit($"{up}.curr", null, $"{ours}.curr", tam.Curr));

        static IEnumerable<KeyMapping> Bottleneck(string up, string ours, BlBottleneck b)
        {
            var all = Unit($"{up}.conv1", $"{up}.bn1", $"{ours}.conv1", b.Conv1)
                .Concat(Unit($"{up}.conv2", $"{up}.bn2", $"{ours}.conv2", b.Conv2))
                .Concat(Unit($"{up}.conv3", $"{up}.bn3", $"{ours}.conv3", b.Conv3));
            if (b.DownsampleConv is { } d)
            {
                int index = b.DownsamplePool is null ? 0 : 1;
                all = all.Concat(Unit($"{up}.downsample.{index}", $"{up}.downsample.{index + 1}", $"{ours}.downsample.conv", d));
            }
            return b.Tam is { } tam ? all.Concat(Tam($"{up}.tam", $"{ours}.tam", tam)) : all;
        }

        var s = model.Stem;
        var mappings = Unit($"{B}.conv1", $"{B}.bn1", "conv1", model.Conv1)
            .Concat(Unit($"{B}.b_conv0", $"{B}.bn_b0", "stem.big", s.BigConv))
            .Concat(Unit($"{B}.l_conv0", $"{B}.bn_l0", "stem.little0", s.LittleConv0))
            .Concat(Unit($"{B}.l_conv1", $"{B}.bn_l1", "stem.little1", s.LittleConv1))
            .Concat(Unit($"{B}.l_conv2", $"{B}.bn_l2", "stem.little2", s.LittleConv2))
            .Concat(Unit($"{B}.bl_init", $"{B}.bn_bl_init", "stem.init", s.Init))
            .Concat(Tam($"{B}.tam", "stem.tam", s.Tam));
        for (int l = 0; l < model.BigLittleLayers.Count; l++)
        {
            var m = model.BigLittleLayers[l];
            string up = $"{B}.layer{l + 1}", ours = $"layer{l + 1}";
            for (int i = 0; i < m.Big.Count; i++) mappings = mappings.Concat(Bottleneck($"{up}.big.{i}", $"{ours}.big.{i}", m.Big[i]));
            for (int i = 0; i < m.Little.Count; i++) mappings = mappings.Concat(Bottleneck($"{up}.little.{i}", $"{ours}.little.{i}", m.Little[i]));
            mappings = mappings.Concat(Unit($"{up}.little_e.0", $"{up}.little_e.1", $"{ours}.little_e", m.LittleExpand))
                .Concat(Bottleneck($"{up}.fusion.0", $"{ours}.fusion", m.Fusion))
                .Concat(Tam($"{up}.tam", $"{ours}.tam", m.Tam));
        }
        for (int i = 0; i < model.Layer4.Count; i++) mappings = mappings.Concat(Bottleneck($"{B}.layer4.{i}", $"layer4.{i}", model.Layer4[i]));
        // Linear [K, C] ↔ the per-frame 1×1×1 conv's [K, C, 1, 1, 1].
        return mappings.Concat(TorchConvNormKeys.Map("new_fc", null, "head.fc", model.Fc,
            t => t.dim() == 2 ? t.reshape(t.shape[0], t.shape[1], 1, 1, 1) : t, t => t.reshape(t.shape[0], t.shape[1])));
    }
}
