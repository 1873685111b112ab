using MoViSharp.Layers;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// The published MoViNet architectures (TF Model Garden BLOCK_SPECS) as data, and the settings that make a spec a base or a
/// stream model.
/// </summary>
public static class MoViNetSpecs
{
    private static StageSpec Stage(int outChannels, int stride, string layers) => StageSpec.Parse(outChannels, stride, layers);

    private sealed record Architecture(int Stem, int Head, int Hidden, int Frames, int Size, double Dropout, StageSpec[] Stages);

    private static readonly Dictionary<string, Architecture> Architectures = new(StringComparer.OrdinalIgnoreCase)
    {
        ["a0"] = new(8, 480, 2048, 50, 172, 0.2,
        [
            Stage(8, 2, "24 1x5x5"),
            Stage(32, 2, "80 3x3x3, 80 3x3x3, 80 3x3x3"),
            Stage(56, 2, "184 5x3x3, 112 3x3x3, 184 3x3x3"),
            Stage(56, 1, "184 5x3x3, 184 3x3x3, 184 3x3x3, 184 3x3x3"),
            Stage(104, 2, "384 5x3x3, 280 1x5x5, 280 1x5x5, 344 1x5x5"),
        ]),
        ["a1"] = new(16, 600, 2048, 50, 172, 0.5,
        [
            Stage(16, 2, "40 1x5x5, 40 3x3x3"),
            Stage(40, 2, "96 3x3x3, 120 3x3x3, 96 3x3x3, 96 3x3x3"),
            Stage(64, 2, "216 5x3x3, 128 3x3x3, 216 3x3x3, 168 3x3x3, 216 3x3x3"),
            Stage(64, 1, "216 5x3x3, 216 3x3x3, 216 3x3x3, 128 3x3x3, 128 1x5x5, 216 3x3x3"),
            Stage(136, 2, "456 5x3x3, 360 1x5x5, 360 1x5x5, 360 1x5x5, 456 1x5x5, 456 3x3x3, 544 1x3x3"),
        ]),
        ["a2"] = new(16, 640, 2048, 50, 224, 0.5,
        [
            Stage(16, 2, "40 1x5x5, 40 3x3x3, 64 3x3x3"),
            Stage(40, 2, "96 3x3x3, 120 3x3x3, 96 3x3x3, 96 3x3x3, 120 3x3x3"),
            Stage(72, 2, "240 5x3x3, 160 3x3x3, 240 3x3x3, 192 3x3x3, 240 3x3x3"),
            Stage(72, 1, "240 5x3x3, 240 3x3x3, 240 3x3x3, 240 3x3x3, 144 1x5x5, 240 3x3x3"),
            Stage(144, 2, "480 5x3x3, 384 1x5x5, 384 1x5x5, 480 1x5x5, 480 1x5x5, 480 3x3x3, 576 1x3x3"),
        ]),
        ["a3"] = new(16, 744, 2048, 120, 256, 0.5,
        [
            Stage(16, 2, "40 1x5x5, 40 3x3x3, 64 3x3x3, 40 3x3x3"),
            Stage(48, 2, "112 3x3x3, 144 3x3x3, 112 3x3x3, 112 1x5x5, 144 3x3x3, 144 3x3x3"),
            Stage(80, 2, "240 5x3x3, 152 3x3x3, 240 3x3x3, 192 3x3x3, 240 3x3x3"),
            Stage(88, 1, "264 5x3x3, 264 3x3x3, 264 3x3x3, 264 3x3x3, 160 1x5x5, 264 3x3x3, 264 3x3x3, 264 3x3x3"),
            Stage(168, 2, "560 5x3x3, 448 1x5x5, 448 1x5x5, 560 1x5x5, 560 1x5x5, 560 3x3x3, 448 1x5x5, 448 1x5x5, 560 3x3x3, 672 1x3x3"),
        ]),
        ["a4"] = new(24, 856, 2048, 80, 290, 0.5,
        [
            Stage(24, 2, "64 1x5x5, 64 3x3x3, 96 3x3x3, 64 3x3x3, 96 3x3x3, 64 3x3x3"),
            Stage(56, 2, "168 3x3x3, 168 3x3x3, 136 3x3x3, 136 3x3x3, 168 3x3x3, 168 3x3x3, 168 3x3x3, 136 1x5x5, 136 3x3x3"),
            Stage(96, 2, "320 5x3x3, 160 3x3x3, 320 3x3x3, 192 3x3x3, 320 3x3x3, 160 3x3x3, 320 3x3x3, 256 3x3x3, 320 3x3x3"),
            Stage(96, 1, "320 5x3x3, 320 3x3x3, 320 3x3x3, 320 3x3x3, 192 1x5x5, 320 3x3x3, 320 3x3x3, 192 3x3x3, 320 3x3x3, 320 3x3x3"),
            Stage(192, 2, "640 5x3x3, 512 1x5x5, 512 1x5x5, 640 1x5x5, 640 1x5x5, 640 3x3x3, 512 1x5x5, 512 1x5x5, 640 1x5x5, 768 1x5x5, 640 1x5x5, 640 3x3x3, 768 3x3x3"),
        ]),
        ["a5"] = new(24, 992, 2048, 120, 320, 0.5,
        [
            Stage(24, 2, "64 1x5x5, 64 1x5x5, 96 3x3x3, 64 3x3x3, 96 3x3x3, 64 3x3x3"),
            Stage(64, 2, "192 5x3x3, 152 3x3x3, 152 3x3x3, 152 3x3x3, 192 3x3x3, 192 3x3x3, 192 3x3x3, 152 3x3x3, 152 3x3x3, 192 3x3x3, 192 3x3x3"),
            Stage(112, 2, "376 5x3x3, 224 3x3x3, 376 3x3x3, 376 3x3x3, 296 3x3x3, 376 3x3x3, 224 3x3x3, 376 3x3x3, 376 3x3x3, 296 3x3x3, 376 3x3x3, 376 3x3x3, 376 3x3x3"),
            Stage(120, 1, "376 5x3x3, 376 3x3x3, 376 3x3x3, 376 3x3x3, 224 1x5x5, 376 3x3x3, 376 3x3x3, 224 3x3x3, 376 3x3x3, 376 3x3x3, 376 3x3x3"),
            Stage(224, 2, "744 5x3x3, 744 3x3x3, 600 1x5x5, 600 1x5x5, 744 1x5x5, 744 1x5x5, 744 3x3x3, 896 1x5x5, 600 1x5x5, 600 1x5x5, 896 1x5x5, 744 1x5x5, 744 3x3x3, 896 1x5x5, 600 1x5x5, 600 1x5x5, 744 1x5x5, 744 3x3x3"),
        ]),
        ["t0"] = new(8, 240, 1024, 25, 160, 0.2,
        [
            Stage(8, 2, "16 1x5x5"),
            Stage(32, 2, "72 3x3x3, 72 1x5x5"),
            Stage(56, 2, "112 5x3x3, 112 1x5x5, 112 3x3x3"),
            Stage(56, 1, "184 5x3x3, 184 1x5x5, 184 3x3x3, 184 3x3x3"),
            Stage(104, 2, "344 5x3x3, 344 1x5x5, 344 1x5x5, 344 3x3x3"),
        ]),
    };

    public static IReadOnlyList<string> Names { get; } = ["a0", "a1", "a2", "a3", "a4", "a5", "t0"];

    /// <summary>
    /// The published configuration. Base: 3-D convs, SE 3d, swish/sigmoid, non-causal. Stream: causal (2+1)D, SE 2plus3d,
    /// hard-swish with the Keras hard-sigmoid gate of the released checkpoints, positional encoding for A3–A5, and a
    /// hard-swish classifier only for A4 (its yaml sets the model-level activation).
    /// </summary>
    public static MoViNetConfig Get(string name, MoViNetVariant variant)
    {
        if (!Architectures.TryGetValue(name, out var a))
            throw new ArgumentException($"Unknown MoViNet '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
        string key = name.ToLowerInvariant();
        var config = new MoViNetConfig
        {
            Name = key, NumClasses = 600, Variant = variant, StemChannels = a.Stem, Stages = a.Stages, HeadChannels = a.Head, HiddenChannels = a.Hidden,
            NativeFrames = a.Frames, NativeSize = a.Size, DropoutRate = a.Dropout,
        };
        if (variant == MoViNetVariant.Base) return config;
        return config with
        {
            ConvType = ConvType.TwoPlusOneD,
            SeType = SqueezeExcitationType.TwoPlusThreeD,
            Activation = ActivationKind.HardSwish,
            Gate = GateKind.HardSigmoidKeras,
            ClassifierActivation = key == "a4" ? ActivationKind.HardSwish : ActivationKind.Swish,
            Causal = true,
            PositionalEncoding = key is "a3" or "a4" or "a5",
        };
    }

    /// <summary>
    /// The mobile stream variant that TF Hub ships as TFLite (e.g. <c>a0/stream/kinetics-600/classification/tflite</c>): the
    /// stream model of <paramref name="name"/> without squeeze-excitation and with ReLU6 everywhere, the classifier's hidden
    /// layer included (no positional encoding, since that belongs to SE). Data only: the same <see cref="MoViNet"/> builds it.
    /// </summary>
    public static MoViNetConfig Mobile(string name) => Get(name, MoViNetVariant.Stream) with
    {
        SeType = SqueezeExcitationType.None,
        Activation = ActivationKind.Relu6,
        ClassifierActivation = ActivationKind.Relu6,
        PositionalEncoding = false,
    };
}
