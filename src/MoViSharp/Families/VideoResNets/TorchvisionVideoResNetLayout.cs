using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// torchvision's video ResNet state dict (`torch.save(model.state_dict())`, bare; a DataParallel <c>module.</c> prefix is
/// stripped): <c>stem.0</c>/<c>stem.1</c> (R(2+1)D: also <c>stem.3</c>/<c>stem.4</c>), <c>layerL.B.convN.0</c> conv +
/// <c>convN.1</c> BN (R(2+1)D: <c>convN.0.0</c> spatial, <c>convN.0.1</c> its BN, <c>convN.0.3</c> temporal), <c>downsample.0/1</c>,
/// <c>fc</c> (Linear [K, C]). The files name no architecture: it is read from the keys and shapes (stem, conv kind, width and
/// blocks per layer, classes) and named r3d_18 / mc3_18 / r2plus1d_18 when it is one of them; <c>--model</c> or <c>--config</c>
/// fix it instead, and a file that does not fit is refused with every offending key.
/// </summary>
public sealed class TorchvisionVideoResNetLayout : ICheckpointLayout
{
    public string Name => "torchvision";

    public bool Matches(NamedTensors tensors)
    {
        var names = DataParallelPrefix.Strip(tensors).Keys.ToHashSet(StringComparer.Ordinal);
        return names.Contains("stem.0.weight") && names.Contains("fc.weight") && names.Contains("layer1.0.conv1.1.weight");
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var bare = DataParallelPrefix.Strip(tensors);
        var inferred = Infer(bare, source);
        VideoResNetConfig config;
        if (hints.Architecture is { } custom)
            config = custom as VideoResNetConfig ?? throw new ArgumentException($"{source} holds a torchvision video ResNet; the given config is a '{custom.Family}' model.");
        else if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            config = entry.Config as VideoResNetConfig
                ?? throw new ArgumentException($"{source} holds a torchvision video ResNet (r3d_18, mc3_18, r2plus1d_18), not a '{entry.Family}' model.");
        }
        else config = Registered(inferred);
        return StrictLoader.Build(config with { NumClasses = inferred.NumClasses }, bare, m => Mappings((VideoResNet)m), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var resnet = model as VideoResNet ?? throw new ArgumentException($"The torchvision video ResNet layout holds video ResNets, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(resnet))) result.Add(name, tensor.clone());
        return result;
    }

    /// <summary>The published model with this architecture (and the file's classes), else the architecture as "custom".</summary>
    private static VideoResNetConfig Registered(VideoResNetConfig inferred) =>
        VideoResNetSpecs.Names.Select(VideoResNetSpecs.Get).FirstOrDefault(spec => spec.SameArchitecture(inferred)) ?? inferred;

    /// <summary>The architecture the keys and shapes describe (torchvision's strides 1, 2, 2, …, which weights cannot show).</summary>
    public static VideoResNetConfig Infer(IReadOnlyDictionary<string, Tensor> bare, string source)
    {
        // Widths come from these tensors' first dimension: an empty or scalar one (a hostile file) could claim any size.
        Tensor Get(string key) => !bare.TryGetValue(key, out var t)
            ? throw new InvalidDataException($"{source} is not a complete torchvision video ResNet state dict: it has no '{key}'.")
            : t.dim() == 0 || t.numel() == 0 ? throw new InvalidDataException($"{source}: '{key}' is empty or a scalar, not a weight.") : t;
        bool twoPlusOneStem = bare.ContainsKey("stem.3.weight");
        var kinds = new List<ResNetConvKind>();
        var widths = new List<int>();
        var blocks = new List<int>();
        for (int layer = 1; bare.ContainsKey($"layer{layer}.0.conv1.1.weight"); layer++)
        {
            int count = 0;
            while (bare.ContainsKey($"layer{layer}.{count}.conv1.1.weight")) count++;
            blocks.Add(count);
            widths.Add((int)Get($"layer{layer}.0.conv1.1.weight").shape[0]);
            kinds.Add(bare.ContainsKey($"layer{layer}.0.conv1.0.3.weight") ? ResNetConvKind.TwoPlusOneD
                : Get($"layer{layer}.0.conv1.0.weight") is { } w && w.dim() == 5 && w.shape[2] == 1 ? ResNetConvKind.NoTemporal
                : ResNetConvKind.ThreeD);
        }
        if (kinds.Count == 0) throw new InvalidDataException($"{source} has no 'layer1.0.conv1.1.weight', so it is not a torchvision video ResNet.");
        var stem = Get("stem.0.weight");
        var config = new VideoResNetConfig
        {
            Name = "custom",
            NumClasses = (int)Get("fc.weight").shape[0],
            Stem = twoPlusOneStem ? VideoResNetStem.TwoPlusOneD : VideoResNetStem.Basic,
            StemChannels = (int)(twoPlusOneStem ? Get("stem.3.weight") : stem).shape[0],
            StemMidChannels = twoPlusOneStem ? (int)stem.shape[0] : 45,
            ConvKinds = kinds,
            Widths = widths,
            Blocks = blocks,
            Strides = [.. kinds.Select((_, i) => i == 0 ? 1 : 2)],
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source} is not a torchvision video ResNet state dict: {e.Message}"); }
        return config;
    }

    /// <summary>Every (torchvision key → model key, reshaping) pair for <paramref name="model"/>, in torchvision's state-dict order.</summary>
    public static IEnumerable<KeyMapping> Mappings(VideoResNet model)
    {
        // torchvision's convN = Sequential(conv maker, BatchNorm3d[, ReLU]); a (2+1)D maker is itself Sequential(conv, BN, ReLU, conv).
        IEnumerable<KeyMapping> Conv(string upstream, string ours, StreamModule module) => module switch
        {
            Conv2Plus1D d => TorchConvNormKeys.Map($"{upstream}.0.0", $"{upstream}.0.1", $"{ours}.spatial", d.SpatialConv)
                .Concat(TorchConvNormKeys.Map($"{upstream}.0.3", $"{upstream}.1", $"{ours}.temporal", d.TemporalConv)),
            ConvUnit u => TorchConvNormKeys.Map($"{upstream}.0", $"{upstream}.1", ours, u),
            _ => throw new InvalidOperationException($"Unexpected module {module.GetType().Name} at {ours}."),
        };

        IEnumerable<KeyMapping> All()
        {
            var stem = model.Stem is Conv2Plus1D d
                ? TorchConvNormKeys.Map("stem.0", "stem.1", "stem.spatial", d.SpatialConv).Concat(TorchConvNormKeys.Map("stem.3", "stem.4", "stem.temporal", d.TemporalConv))
                : TorchConvNormKeys.Map("stem.0", "stem.1", "stem", (ConvUnit)model.Stem);
            foreach (var m in stem) yield return m;
            for (int l = 0; l < model.Layers.Count; l++)
                for (int b = 0; b < model.Layers[l].Count; b++)
                {
                    var block = model.Layers[l][b];
                    string upstream = $"layer{l + 1}.{b}", ours = $"layer{l + 1}.{b}.body";
                    foreach (var m in Conv($"{upstream}.conv1", $"{ours}.conv1", block.Conv1)) yield return m;
                    foreach (var m in Conv($"{upstream}.conv2", $"{ours}.conv2", block.Conv2)) yield return m;
                    if (block.Downsample is { } downsample)
                        foreach (var m in TorchConvNormKeys.Map($"{upstream}.downsample.0", $"{upstream}.downsample.1", $"{ours}.downsample", downsample))
                            yield return m;
                }
            // Linear [K, C] ↔ the 1×1×1 conv's [K, C, 1, 1, 1]; other ranks pass through, so the strict loader names them.
            foreach (var m in TorchConvNormKeys.Map("fc", null, "fc", model.Fc, LinearAsConv, ConvAsLinear)) yield return m;
        }
        return All();
    }

    internal static Tensor LinearAsConv(Tensor t) => t.dim() == 2 ? t.reshape(t.shape[0], t.shape[1], 1, 1, 1) : t;

    internal static Tensor ConvAsLinear(Tensor t) => t.reshape(t.shape[0], t.shape[1]);
}
