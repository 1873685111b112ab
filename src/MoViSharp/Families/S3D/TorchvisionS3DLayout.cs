using System.Text.RegularExpressions;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.S3D;

/// <summary>
/// torchvision's S3D state dict (bare; a DataParallel <c>module.</c> prefix is stripped). Every torchvision
/// <c>Conv3dNormActivation</c> at path P (<c>P.0.weight</c>, BN <c>P.1.*</c>) is the <see cref="ConvUnit"/> at the same path here,
/// and <c>classifier.1</c> (Conv3d with bias) is ours as is. The architecture is read from the keys (widths, blocks per stage,
/// classes) and named <c>s3d</c> when it is torchvision's; the head pool, which weights cannot show, is torchvision's (2,7,7)
/// unless <c>--config</c> says otherwise.
/// </summary>
public sealed partial class TorchvisionS3DLayout : ICheckpointLayout
{
    public string Name => "torchvision";

    public bool Matches(NamedTensors tensors)
    {
        var names = DataParallelPrefix.Strip(tensors).Keys.ToHashSet(StringComparer.Ordinal);
        return names.Contains("features.0.0.0.weight") && names.Contains("classifier.1.weight") && names.Any(n => n.Contains(".branch0.0.weight", StringComparison.Ordinal));
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var bare = DataParallelPrefix.Strip(tensors);
        var inferred = Infer(bare, source);
        S3DConfig config;
        if (hints.Architecture is { } custom)
            config = custom as S3DConfig ?? throw new ArgumentException($"{source} holds a torchvision S3D; the given config is a '{custom.Family}' model.");
        else if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            config = entry.Config as S3DConfig ?? throw new ArgumentException($"{source} holds a torchvision S3D, not a '{entry.Family}' model.");
        }
        else
        {
            var published = new S3DConfig { Name = "s3d", NumClasses = inferred.NumClasses };
            config = published.SameArchitecture(inferred) ? published : inferred;
        }
        return StrictLoader.Build(config with { NumClasses = inferred.NumClasses }, bare, m => Mappings((S3DNet)m), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var s3d = model as S3DNet ?? throw new ArgumentException($"The torchvision S3D layout holds S3D models, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(s3d))) result.Add(name, tensor.clone());
        return result;
    }

    [GeneratedRegex(@"^features\.(\d+)\.(.*)$")]
    private static partial Regex FeatureIndex();

    /// <summary>The architecture the keys and shapes describe (Inception blocks are the features with a branch0; max pools have no keys).</summary>
    public static S3DConfig Infer(IReadOnlyDictionary<string, Tensor> bare, string source)
    {
        // Widths come from these tensors' first dimension: an empty or scalar one (a hostile file) could claim any size.
        Tensor Get(string key) => !bare.TryGetValue(key, out var t)
            ? throw new InvalidDataException($"{source} is not a complete torchvision S3D state dict: it has no '{key}'.")
            : t.dim() == 0 || t.numel() == 0 ? throw new InvalidDataException($"{source}: '{key}' is empty or a scalar, not a weight.") : t;
        int Width(string key) => (int)Get(key).shape[0];
        // Inception blocks are the features with a branch0; a gap between their indices is a max pool (no keys) ending a stage.
        var blocks = bare.Keys.Select(k => FeatureIndex().Match(k))
            .Where(m => m.Success && m.Groups[2].Value == "branch0.0.weight" && int.TryParse(m.Groups[1].Value, out _))
            .Select(m => int.Parse(m.Groups[1].Value)).Order().ToList();
        var inception = new List<InceptionSpec>();
        var stages = new List<int>();
        for (int i = 0; i < blocks.Count; i++)
        {
            string p = $"features.{blocks[i]}";
            inception.Add(new InceptionSpec(Width($"{p}.branch0.0.weight"), Width($"{p}.branch1.0.0.weight"), Width($"{p}.branch1.1.0.0.weight"),
                Width($"{p}.branch2.0.0.weight"), Width($"{p}.branch2.1.0.0.weight"), Width($"{p}.branch3.1.0.weight")));
            if (i == 0 || blocks[i] > blocks[i - 1] + 1) stages.Add(0);
            stages[^1]++;
        }
        var config = new S3DConfig
        {
            Name = "custom",
            NumClasses = Width("classifier.1.weight"),
            StemChannels = Width("features.0.0.0.weight"),
            ReduceChannels = Width("features.2.0.weight"),
            ConvChannels = Width("features.3.0.0.weight"),
            Inception = inception,
            StageBlocks = stages,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source} is not a torchvision S3D state dict: {e.Message}"); }
        return config;
    }

    /// <summary>Every (torchvision key → model key) pair for <paramref name="model"/>, in torchvision's state-dict order.</summary>
    public static IEnumerable<KeyMapping> Mappings(S3DNet model)
    {
        foreach (var (path, unit) in Units(model, ""))
        {
            var mappings = ReferenceEquals(unit, model.Classifier)
                ? TorchConvNormKeys.Map(path, null, path, unit)
                : TorchConvNormKeys.Map($"{path}.0", $"{path}.1", path, unit);
            foreach (var m in mappings) yield return m;
        }
    }

    /// <summary>Every conv unit below <paramref name="module"/> with its path, depth first in registration order (PyTorch's state-dict order).</summary>
    private static IEnumerable<(string Path, ConvUnit Unit)> Units(StreamModule module, string path)
    {
        if (module is ConvUnit unit)
        {
            yield return (path, unit);
            yield break;
        }
        foreach (var (name, child) in module.StreamChildren)
            foreach (var found in Units(child, path.Length == 0 ? name : $"{path}.{name}"))
                yield return found;
    }
}
