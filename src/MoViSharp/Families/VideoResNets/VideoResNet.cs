using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// A torchvision-style video ResNet built from a <see cref="VideoResNetConfig"/>: stem → layer1…layerN (BasicBlocks) → average over
/// the whole clip → dropout (training only) → fc (a 1×1×1 conv with bias = torchvision's Linear). A clip model: the pool needs every
/// frame, so it does not stream (continual versions are a later rewrite). Input clips [B, 3, T, H, W], normalised as
/// <see cref="VideoResNetConfig.Preprocessing"/> says; any T, H, W ≥ 1 run.
/// </summary>
public sealed class VideoResNet : VideoModel
{
    private readonly VideoResNetConfig config;

    public override ModelConfig Config => config;
    public VideoResNetConfig Spec => config;
    /// <summary>A <see cref="ConvUnit"/> (3×7×7) or a <see cref="Conv2Plus1D"/>.</summary>
    public StreamModule Stem { get; }
    /// <summary>The blocks of each layer, in order.</summary>
    public IReadOnlyList<IReadOnlyList<BasicBlock>> Layers { get; }
    public ConvUnit Fc { get; }

    public VideoResNet(VideoResNetConfig config) : this(config, Parts.Of(config)) { }

    private VideoResNet(VideoResNetConfig config, Parts parts) : base($"VideoResNet-{config.Id}", parts.Named)
    {
        this.config = config;
        (Stem, Layers, Fc) = (parts.Stem, parts.Layers, parts.Fc);
    }

    private sealed record Parts(StreamModule Stem, IReadOnlyList<IReadOnlyList<BasicBlock>> Layers, ConvUnit Fc,
        IReadOnlyList<(string, StreamModule)> Named)
    {
        public static Parts Of(VideoResNetConfig c)
        {
            c.Validate();
            double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
            StreamModule stem = c.Stem switch
            {
                VideoResNetStem.Basic => new ConvUnit(3, c.StemChannels, (3, 7, 7), 2, activation: ActivationKind.Relu,
                    batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (1, 3, 3)),
                VideoResNetStem.TwoPlusOneD => new Conv2Plus1D(3, c.StemMidChannels, c.StemChannels, 7, 3, 2, 1, ActivationKind.Relu, eps, momentum),
                _ => throw new ArgumentOutOfRangeException(nameof(c), c.Stem, "unknown stem"),
            };
            var layers = new List<IReadOnlyList<BasicBlock>>();
            int channels = c.StemChannels;
            for (int i = 0; i < c.ConvKinds.Count; i++)
            {
                var blocks = new List<BasicBlock>();
                for (int j = 0; j < c.Blocks[i]; j++)
                {
                    blocks.Add(new BasicBlock(channels, c.Widths[i], j == 0 ? c.Strides[i] : 1, c.ConvKinds[i], eps, momentum));
                    channels = c.Widths[i];
                }
                layers.Add(blocks);
            }
            var fc = new ConvUnit(channels, c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false, padding: (0, 0, 0));
            using (no_grad()) nn.init.normal_(fc.Weight, 0, 0.01);     // torchvision's Linear init
            // Part names follow torchvision's attributes (stem, layer1…, fc); layers name their blocks 0, 1, … as nn.Sequential does.
            List<(string, StreamModule)> named =
            [
                ("stem", stem),
                .. layers.Select((blocks, i) => ($"layer{i + 1}", (StreamModule)new Sequential($"Layer{i + 1}", blocks.Select((b, j) => (j.ToString(), (StreamModule)b))))),
                ("pool", new GlobalAveragePool()),
                ("dropout", new Dropout(c.DropoutRate)),
                ("fc", fc),
            ];
            return new Parts(stem, layers, fc, named);
        }
    }
}
