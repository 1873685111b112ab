using MoViSharp.Layers;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// The state-dict key layout of the popular PyTorch MoViNet port (base: `conv3d` modules with 5-D weights; stream: `conv2d`
/// modules with 4-D weights, (k_t,1) temporal kernels), mapped onto MoViSharp's modules. Formats know nothing of models; this
/// class knows names and shapes and nothing of bytes.
/// </summary>
public static class PortLayout
{
    /// <summary>True when the keys look like the port's (its stem is `conv1.conv_1`).</summary>
    public static bool Matches(IEnumerable<string> keys) => keys.Any(k => k.StartsWith("conv1.conv_1.", StringComparison.Ordinal));

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
        var config = model.Config;
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
                        foreach (var m in Conv($"{p}.deep", $"{o}.feature.spatial", layer.Feature.Spatial!, spatial)) yield return m;
                        // The port keeps the temporal part in its own module, deep.conv_2, with its own BN.
                        foreach (var m in Conv($"{p}.deep", $"{o}.feature.temporal", layer.Feature.Temporal!, temporal))
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
