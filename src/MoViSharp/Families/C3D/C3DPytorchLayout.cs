using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.C3D;

/// <summary>
/// The Sports-1M PyTorch conversion's state dict (<c>c3d.pickle</c>: a bare state dict, legacy torch.save format; a DataParallel
/// <c>module.</c> prefix is stripped): <c>conv1</c> … <c>conv5b</c> (Conv3d weight + bias), <c>fc6</c> (Linear [4096, 8192] on
/// pool5 flattened as C, T, H, W), <c>fc7</c>, <c>fc8</c>. The architecture is read from the shapes (widths, classes, and the
/// clip from fc6's input) and named <c>c3d</c> when it is the published one.
/// </summary>
public sealed class C3DPytorchLayout : ICheckpointLayout
{
    public string Name => "c3d-pytorch";

    public bool Matches(NamedTensors tensors)
    {
        var names = DataParallelPrefix.Strip(tensors).Keys.ToHashSet(StringComparer.Ordinal);
        return names.Contains("conv1.weight") && names.Contains("conv3a.weight") && names.Contains("fc6.weight") && names.Contains("fc8.weight");
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var bare = DataParallelPrefix.Strip(tensors);
        var inferred = Infer(bare, source);
        C3DConfig config;
        if (hints.Architecture is { } custom)
            config = custom as C3DConfig ?? throw new ArgumentException($"{source} holds a C3D; the given config is a '{custom.Family}' model.");
        else if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            config = entry.Config as C3DConfig ?? throw new ArgumentException($"{source} holds a C3D (Sports-1M conversion), not a '{entry.Family}' model.");
        }
        else
        {
            var published = new C3DConfig { Name = "c3d", NumClasses = inferred.NumClasses };
            config = published.SameArchitecture(inferred) ? published : inferred;
        }
        return StrictLoader.Build(config with { NumClasses = inferred.NumClasses }, bare, m => Mappings((C3DNet)m), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var c3d = model as C3DNet ?? throw new ArgumentException($"The c3d-pytorch layout holds C3D models, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(c3d))) result.Add(name, tensor.clone());
        return result;
    }

    /// <summary>
    /// The architecture the shapes describe. fc6's input is pool5's map flattened; the clip is the smallest 16-frame square clip
    /// with that map (16×112² for the published 512×1×4×4; any clip with the same map runs the same).
    /// </summary>
    public static C3DConfig Infer(IReadOnlyDictionary<string, Tensor> bare, string source)
    {
        // Widths come from these tensors' first dimension: an empty or scalar one (a hostile file) could claim any size.
        Tensor Get(string key) => !bare.TryGetValue(key, out var t)
            ? throw new InvalidDataException($"{source} is not a complete C3D (Sports-1M conversion) state dict: it has no '{key}'.")
            : t.dim() == 0 || t.numel() == 0 ? throw new InvalidDataException($"{source}: '{key}' is empty or a scalar, not a weight.") : t;
        var stages = new List<IReadOnlyList<int>>();
        for (int s = 1; s <= 5; s++)
        {
            var widths = new List<int>();
            if (bare.ContainsKey($"conv{s}.weight")) widths.Add((int)Get($"conv{s}.weight").shape[0]);
            else
                for (int i = 0; bare.ContainsKey($"conv{s}{(char)('a' + i)}.weight"); i++)
                    widths.Add((int)Get($"conv{s}{(char)('a' + i)}.weight").shape[0]);
            if (widths.Count == 0) throw new InvalidDataException($"{source} has no conv{s} or conv{s}a, so it is not a C3D state dict.");
            stages.Add(widths);
        }
        var fc6 = Get("fc6.weight");
        long features = fc6.shape[^1], channels = stages[^1][^1];
        long volume = features % channels == 0 ? features / channels : -1;
        int size = Enumerable.Range(16, 1024).FirstOrDefault(s => C3DConfig.MapFor(16, s) is var m && (long)m.Time * m.Height * m.Width == volume);
        if (size == 0)
            throw new InvalidDataException($"{source}: fc6 takes {features} inputs, which is no 16-frame pool5 map of conv5's {channels} channels.");
        var config = new C3DConfig
        {
            Name = "custom",
            NumClasses = (int)Get("fc8.weight").shape[0],
            Stages = stages,
            FullyConnected = [(int)fc6.shape[0], (int)Get("fc7.weight").shape[0]],
            NativeFrames = 16,
            NativeSize = size,
        };
        return config;
    }

    /// <summary>Every (conversion key → model key, reshaping) pair for <paramref name="model"/>, in the conversion's state-dict order.</summary>
    public static IEnumerable<KeyMapping> Mappings(C3DNet model)
    {
        var c = model.Spec;
        for (int s = 0; s < c.Stages.Count; s++)
            for (int i = 0; i < c.Stages[s].Count; i++)
            {
                string name = C3DConfig.ConvName(s + 1, i, c.Stages[s].Count);
                foreach (var m in TorchConvNormKeys.Map(name, null, name, model.Unit(name))) yield return m;
            }
        var fc6 = model.Unit("fc6");
        var (t, h, w) = c.FeatureMap;
        // Linear [O, C·T·H·W] ↔ the conv's [O, C, T, H, W]: the row-major flattening is the conversion's view(−1, C·T·H·W).
        Tensor Fc6In(Tensor x) => x.dim() == 2 && x.shape[1] == (long)fc6.InChannels * t * h * w ? x.reshape(x.shape[0], fc6.InChannels, t, h, w) : x;
        foreach (var m in TorchConvNormKeys.Map("fc6", null, "fc6", fc6, Fc6In, x => x.reshape(x.shape[0], -1))) yield return m;
        foreach (var name in new[] { "fc7", "fc8" })
            foreach (var m in TorchConvNormKeys.Map(name, null, name, model.Unit(name), LinearAsConv, x => x.reshape(x.shape[0], x.shape[1])))
                yield return m;
    }

    private static Tensor LinearAsConv(Tensor t) => t.dim() == 2 ? t.reshape(t.shape[0], t.shape[1], 1, 1, 1) : t;
}
