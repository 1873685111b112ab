using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// The state-dict layout of the popular PyTorch MoViNet port (its `torch.save(model.state_dict())` files, or the same keys in
/// safetensors): base models have `conv3d` modules with 5-D weights, stream models `conv2d` modules with 4-D weights and (k_t,1)
/// temporal kernels. The files name no architecture, so the user says which (<c>--model a2</c>, or a custom config); the variant
/// and the classes are read from the keys. Knows names and shapes, nothing of bytes.
/// </summary>
public sealed class PortLayout : ICheckpointLayout
{
    public string Name => "port";

    /// <summary>True when the keys look like the port's (its stem is `conv1.conv_1`).</summary>
    public bool Matches(NamedTensors tensors) => tensors.Names.Any(k => k.StartsWith("conv1.conv_1.", StringComparison.Ordinal));

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var detected = DetectVariant(tensors.Names)
            ?? throw new CheckpointFormatException(source, "keys", $"{source} is not in the PyTorch port's layout (no 'conv1.conv_1.conv3d/conv2d' stem).");
        MoViNetConfig architecture;
        if (hints.Architecture is { } custom)
            architecture = custom as MoViNetConfig ?? throw new ArgumentException($"{source} holds MoViNet weights (PyTorch port); the given config is a '{custom.Family}' model.");
        else
        {
            if (hints.Model is null)
                throw new ArgumentException($"{source} holds PyTorch-port weights, which do not name their architecture: pass --model (a0 … a5) or --config.");
            var entry = ModelRegistry.Entry(BaseName(hints.Model), hints.Variant ?? SuffixVariant(hints.Model) ?? VariantName(detected));
            architecture = entry.Config as MoViNetConfig ?? throw new ArgumentException($"{source} holds MoViNet weights (PyTorch port), not a '{entry.Family}' model.");
        }
        if (architecture.Variant != detected)
            throw new CheckpointFormatException(source, "keys", $"{source} holds a {VariantName(detected)} model (its convs are " +
                $"{(detected == MoViNetVariant.Base ? "conv3d" : "conv2d")}), not {VariantName(architecture.Variant)}.");
        string key = $"classifier.3.conv_1.{(detected == MoViNetVariant.Base ? "conv3d" : "conv2d")}.weight";
        if (!tensors.TryGetValue(key, out var logits))
            throw new CheckpointFormatException(source, key, $"{source} has no '{key}' (the classifier), so it is not a complete port checkpoint.");
        // The class count sizes the model we build: it must come from a real kernel [classes, hidden, …].
        if (logits.dim() < 2 || logits.shape[0] is < 1 or > CheckpointArchitecture.MaxClasses)
            throw new CheckpointFormatException(source, key,
                $"{source}: '{key}' has shape [{string.Join(", ", logits.shape)}]; the classifier kernel needs [classes, hidden, …] with 1 to {CheckpointArchitecture.MaxClasses} classes.");
        var config = Config(architecture with { NumClasses = (int)logits.shape[0] });
        CheckpointArchitecture.CheckFitsFile(config, tensors, source);
        return StrictLoader.Build(config, tensors.Names.ToDictionary(n => n, n => tensors[n]), m => Mappings((MoViNet)m), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var movinet = model as MoViNet ?? throw new ArgumentException($"The port layout holds MoViNets, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(movinet))) result.Add(name, tensor.clone());
        return result;
    }

    /// <summary>"a2-stream" → "a2".</summary>
    private static string BaseName(string model) => model.Trim().Split('-', 2)[0];

    private static string? SuffixVariant(string model) => model.Trim().Split('-', 2) is [_, var variant] ? variant.ToLowerInvariant() : null;

    private static string VariantName(MoViNetVariant variant) => variant.ToString().ToLowerInvariant();

    /// <summary>The port's variant from its keys: `conv3d` modules for base, `conv2d` for stream.</summary>
    public static MoViNetVariant? DetectVariant(IEnumerable<string> keys)
    {
        foreach (var k in keys)
        {
            if (k.StartsWith("conv1.conv_1.conv3d.", StringComparison.Ordinal)) return MoViNetVariant.Base;
            if (k.StartsWith("conv1.conv_1.conv2d.", StringComparison.Ordinal)) return MoViNetVariant.Stream;
        }
        return null;
    }

    /// <summary>The configuration the port's checkpoints need for a named architecture (SE 2plus3d gate clip(0.2x+0.5,0,1), swish classifier).</summary>
    public static MoViNetConfig Config(MoViNetConfig architecture) => architecture with
    {
        Gate = architecture.Variant == MoViNetVariant.Stream ? GateKind.HardSigmoidKeras : GateKind.Sigmoid,
        ClassifierActivation = ActivationKind.Swish,
        PositionalEncoding = false,
    };

    /// <summary>Every (port key → model key, reshaping) pair for <paramref name="model"/>.</summary>
    public static IEnumerable<KeyMapping> Mappings(MoViNet model)
    {
        var config = model.Spec;
        bool stream = config.ConvType != ConvType.ThreeD;
        string kind = stream ? "conv2d" : "conv3d";
        // Port 2-D kernels [O, I, kh, kw] become [O, I, 1, kh, kw]; its temporal (kt,1) kernels [O, I, kt, 1] become [O, I, kt, 1, 1].
        // A file tensor of too few dimensions is left as it is: the strict loader then reports its shape instead of libtorch failing.
        var spatial = stream ? (Func<Tensor, Tensor>?)(t => t.dim() >= 2 ? t.unsqueeze(2) : t) : null;
        var temporal = stream ? (Func<Tensor, Tensor>?)(t => t.unsqueeze(-1)) : null;
        Func<Tensor, Tensor>? Inverse(Func<Tensor, Tensor>? reshape) =>
            reshape is null ? null : ReferenceEquals(reshape, spatial) ? t => t.squeeze(2) : t => t.squeeze(-1);

        IEnumerable<KeyMapping> Conv(string port, string ours, ConvUnit unit, Func<Tensor, Tensor>? reshape)
        {
            yield return new KeyMapping($"{port}.conv_1.{kind}.weight", $"{ours}.weight", reshape, Inverse(reshape));
            if (unit.Bias is not null) yield return new KeyMapping($"{port}.conv_1.{kind}.bias", $"{ours}.bias");
            if (unit.Norm is not null)
                foreach (var p in new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" })
                    yield return new KeyMapping($"{port}.conv_1.norm.{p}", $"{ours}.bn.{p}");
        }

        IEnumerable<KeyMapping> All()
        {
            foreach (var m in Conv("conv1", "stem", model.Stem, spatial)) yield return m;
            int index = 0;
            for (int b = 0; b < config.Stages.Count; b++)
                for (int l = 0; l < config.Stages[b].Layers.Count; l++, index++)
                {
                    var layer = model.Layers[index];
                    string p = $"blocks.b{b}_l{l}", o = $"blocks.b{b}_l{l}";
                    foreach (var m in Conv($"{p}.expand", $"{o}.expansion", layer.Expansion, spatial)) yield return m;
                    if (layer.Feature.Conv is { } single)
                        foreach (var m in Conv($"{p}.deep", $"{o}.feature.conv", single, spatial)) yield return m;
                    else
                    {
                        foreach (var m in Conv($"{p}.deep", $"{o}.feature.spatial", layer.Feature.SpatialPart!, spatial)) yield return m;
                        // The port keeps the temporal part in its own module, deep.conv_2, with its own BN.
                        foreach (var m in Conv($"{p}.deep", $"{o}.feature.temporal", layer.Feature.TemporalPart!, temporal))
                            yield return m with { SourceKey = m.SourceKey.Replace(".deep.conv_1.", ".deep.conv_2.") };
                    }
                    if (layer.SqueezeExcitation is { } se)
                    {
                        foreach (var m in Conv($"{p}.se.fc1", $"{o}.se.reduce", se.Reduce, spatial)) yield return m;
                        foreach (var m in Conv($"{p}.se.fc2", $"{o}.se.expand", se.Expand, spatial)) yield return m;
                    }
                    foreach (var m in Conv($"{p}.project", $"{o}.projection", layer.Projection, spatial)) yield return m;
                    if (layer.Skip is { } skip)
                    {
                        // `res` is a Sequential: index 0 is the parameter-free pool when the layer is strided.
                        int position = skip.SpatialStride > 1 ? 1 : 0;
                        foreach (var m in Conv($"{p}.res.{position}", $"{o}.skip.projection", skip.Projection, spatial)) yield return m;
                    }
                    if (layer.ReZeroScale is not null) yield return new KeyMapping($"{p}.alpha", $"{o}.rezero", t => t.reshape(Array.Empty<long>()));
                }
            foreach (var m in Conv("conv7", "head", model.Head, spatial)) yield return m;
            foreach (var m in Conv("classifier.0", "classifier.hidden", model.Classifier.Hidden, spatial)) yield return m;
            foreach (var m in Conv("classifier.3", "classifier.logits", model.Classifier.Logits, spatial)) yield return m;
        }
        return All();
    }
}
