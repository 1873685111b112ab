using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;

namespace MoViSharp.Families.C3D;

/// <summary>
/// C3D built from a <see cref="C3DConfig"/>, with the Sports-1M conversion's module names as its parts: conv1, pool1, conv2, pool2,
/// conv3a, conv3b, pool3, …, pool5, fc6, fc7, fc8. Convs are 3×3×3 (padding 1, bias) → ReLU; fc6 is a conv whose kernel is the
/// whole pool5 map (the same sums as Linear on the flattened map), fc7/fc8 1×1×1 convs; dropout after fc6 and fc7 in training.
/// Logits are fc8's output (the conversion's forward adds a softmax). Input: RGB 0…255, no normalisation.
/// </summary>
public sealed class C3DNet : VideoModel
{
    private readonly C3DConfig config;

    public override ModelConfig Config => config;
    public C3DConfig Spec => config;

    public C3DNet(C3DConfig config) : base($"C3D-{config.Id}", Parts(config)) => this.config = config;

    /// <summary>The conv at conversion name <paramref name="name"/> (conv1 … conv5b, fc6, fc7, fc8).</summary>
    public ConvUnit Unit(string name) => Items.First(i => i.Name == name).Module as ConvUnit
        ?? throw new ArgumentException($"C3D has no conv named '{name}'.");

    private static List<(string, StreamModule)> Parts(C3DConfig c)
    {
        c.Validate();
        var map = c.FeatureMap;
        var parts = new List<(string, StreamModule)> { ("input_check", new ClipSizeCheck(map, (c.NativeFrames, c.NativeSize))) };
        int channels = 3;
        for (int s = 0; s < c.Stages.Count; s++)
        {
            for (int i = 0; i < c.Stages[s].Count; i++)
            {
                int width = c.Stages[s][i];
                parts.Add((C3DConfig.ConvName(s + 1, i, c.Stages[s].Count), new ConvUnit(channels, width, (3, 3, 3), useBias: true,
                    batchNorm: false, activation: ActivationKind.Relu, padding: (1, 1, 1))));
                channels = width;
            }
            var (kernel, padding) = C3DConfig.Pool(s + 1);
            parts.Add(($"pool{s + 1}", new MaxPool(kernel, kernel, padding)));
        }
        parts.Add(("fc6", new ConvUnit(channels, c.FullyConnected[0], map, useBias: true, batchNorm: false, activation: ActivationKind.Relu, padding: (0, 0, 0))));
        parts.Add(("dropout6", new Dropout(c.DropoutRate)));
        parts.Add(("fc7", new ConvUnit(c.FullyConnected[0], c.FullyConnected[1], (1, 1, 1), useBias: true, batchNorm: false,
            activation: ActivationKind.Relu, padding: (0, 0, 0))));
        parts.Add(("dropout7", new Dropout(c.DropoutRate)));
        parts.Add(("fc8", new ConvUnit(c.FullyConnected[1], c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false, padding: (0, 0, 0))));
        return parts;
    }
}
