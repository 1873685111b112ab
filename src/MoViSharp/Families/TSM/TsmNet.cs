using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Families.TSM;

/// <summary>
/// A TSM network built from a <see cref="TsmConfig"/>: the 2-D backbone on every frame of [B, 3, T, H, W] (kernels 1×k×k, the
/// frames never mix except through the <see cref="TemporalShift"/>s inside the residual branches), a spatial mean and TSN's head
/// (<see cref="FrameClassifierHead"/>: dropout, the per-frame classifier <c>head.fc</c> = new_fc and, offline, the average
/// consensus over the frames) (upstream views the clip as T images and averages their logits). The online model stops at the
/// per-frame logits [B, K, T, 1, 1]: it is causal, so stepping frame by frame gives the clip call's frames.
/// Part names: ResNet <c>conv1</c>, <c>maxpool</c>, <c>layer1…4</c>; MobileNetV2 <c>features</c> (0 = stem, then the blocks, last
/// the 1×1 conv); then <c>pool</c> and <c>head</c>.
/// </summary>
public sealed class TsmNet : VideoModel
{
    private readonly TsmConfig config;

    public override ModelConfig Config => config;
    public TsmConfig Spec => config;

    /// <summary>ResNet: the stem conv (conv1 + bn1); MobileNetV2: features.0.</summary>
    public ConvUnit Stem { get; }
    /// <summary>ResNet: each layer's blocks (empty for MobileNetV2).</summary>
    public IReadOnlyList<IReadOnlyList<TsmBottleneck>> Layers { get; }
    /// <summary>MobileNetV2: the inverted residuals (features.1 … features.N−1; empty for ResNet).</summary>
    public IReadOnlyList<TsmInvertedResidual> Blocks { get; }
    /// <summary>MobileNetV2: the last 1×1 conv (features.N), else null.</summary>
    public ConvUnit? LastConv { get; }
    public ConvUnit Fc { get; }

    public TsmNet(TsmConfig config) : this(config, Parts.Of(config)) { }

    private TsmNet(TsmConfig config, Parts parts) : base($"TSM-{config.Id}", parts.Named)
    {
        this.config = config;
        (Stem, Layers, Blocks, LastConv, Fc) = (parts.Stem, parts.Layers, parts.Blocks, parts.LastConv, parts.Fc);
    }

    private sealed record Parts(ConvUnit Stem, IReadOnlyList<IReadOnlyList<TsmBottleneck>> Layers, IReadOnlyList<TsmInvertedResidual> Blocks,
        ConvUnit? LastConv, ConvUnit Fc, IReadOnlyList<(string, StreamModule)> Named)
    {
        public static Parts Of(TsmConfig c)
        {
            c.Validate();
            double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
            TemporalShiftMode? shift = c.Shift ? c.ShiftMode : null;
            var named = new List<(string, StreamModule)>();
            var layers = new List<IReadOnlyList<TsmBottleneck>>();
            var blocks = new List<TsmInvertedResidual>();
            ConvUnit stem;
            ConvUnit? head = null;
            int channels;
            if (c.Backbone == TsmBackbone.ResNet)
            {
                stem = new ConvUnit(3, c.StemChannels, (1, 7, 7), 2, activation: ActivationKind.Relu, batchNormEpsilon: eps,
                    batchNormMomentum: momentum, padding: (0, 3, 3));
                named.Add(("conv1", stem));
                named.Add(("maxpool", new MaxPool((1, 3, 3), (1, 2, 2), (0, 1, 1))));
                channels = c.StemChannels;
                // TSM shifts every block, or every second one in very deep nets (layer3 of 23+ blocks, e.g. ResNet-101).
                int round = c.Blocks.Count > 2 && c.Blocks[2] >= 23 ? 2 : 1;
                for (int l = 0; l < c.Blocks.Count; l++)
                {
                    var layer = new List<TsmBottleneck>();
                    for (int b = 0; b < c.Blocks[l]; b++)
                    {
                        var blockShift = shift is { } mode && b % round == 0 ? new TemporalShift(mode, c.ShiftDivisor) : null;
                        layer.Add(new TsmBottleneck(channels, c.Widths[l], b == 0 && l > 0 ? 2 : 1, blockShift, eps, momentum));
                        channels = c.Widths[l] * TsmBottleneck.Expansion;
                    }
                    layers.Add(layer);
                    named.Add(($"layer{l + 1}", new Sequential($"Layer{l + 1}", layer.Select((b, j) => (j.ToString(), (StreamModule)b)))));
                }
            }
            else
            {
                stem = new ConvUnit(3, c.StemChannels, (1, 3, 3), 2, activation: ActivationKind.Relu6, batchNormEpsilon: eps,
                    batchNormMomentum: momentum, padding: (0, 1, 1));
                var features = new List<(string, StreamModule)> { ("0", stem) };
                channels = c.StemChannels;
                foreach (var stage in c.Stages)
                    for (int i = 0; i < stage.Repeats; i++)
                    {
                        var block = new TsmInvertedResidual(channels, stage.Channels, i == 0 ? stage.Stride : 1, stage.Expansion, shift,
                            c.ShiftDivisor, eps, momentum);
                        blocks.Add(block);
                        features.Add((features.Count.ToString(), block));
                        channels = stage.Channels;
                    }
                head = new ConvUnit(channels, c.LastChannels, (1, 1, 1), activation: ActivationKind.Relu6, batchNormEpsilon: eps,
                    batchNormMomentum: momentum, padding: (0, 0, 0));
                features.Add((features.Count.ToString(), head));
                channels = c.LastChannels;
                named.Add(("features", new Sequential("Features", features)));
            }
            // TSN's head: dropout, new_fc on every frame, and offline the average consensus; online one prediction per frame.
            var classifier = new FrameClassifierHead(channels, c.NumClasses, c.DropoutRate, consensus: !c.Online, initStd: 0.001);
            var fc = classifier.Fc;
            named.Add(("pool", new SpatialAveragePool()));
            named.Add(("head", classifier));
            return new Parts(stem, layers, blocks, head, fc, named);
        }
    }
}
