using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// bLVNet-TAM built from a <see cref="BlvnetConfig"/>, on [B, 3, T, H, W] (upstream: [N, 3·T, H, W] viewed as N·T images): conv1
/// 7×7/2 → BN → ReLU on every frame, the big-little stem, bL layers 1–3, the odd frames only, layer4 (bottlenecks with a TAM over
/// those frames), spatial mean, and the head (<see cref="FrameClassifierHead"/>: dropout, the per-frame classifier <c>head.fc</c> = new_fc,
/// the mean over the frames).
/// </summary>
public sealed class BlvnetNet : VideoModel
{
    private readonly BlvnetConfig config;

    public override ModelConfig Config => config;
    public BlvnetConfig Spec => config;
    public ConvUnit Conv1 { get; }
    public BigLittleStem Stem { get; }
    public IReadOnlyList<BigLittleModule> BigLittleLayers { get; }
    public IReadOnlyList<BlBottleneck> Layer4 { get; }
    public ConvUnit Fc { get; }

    public BlvnetNet(BlvnetConfig config) : this(config, Parts.Of(config)) { }

    private BlvnetNet(BlvnetConfig config, Parts parts) : base($"bLVNet-TAM-{config.Id}", parts.Named)
    {
        this.config = config;
        (Conv1, Stem, BigLittleLayers, Layer4, Fc) = (parts.Conv1, parts.Stem, parts.Layers, parts.Layer4, parts.Fc);
    }

    private sealed record Parts(ConvUnit Conv1, BigLittleStem Stem, IReadOnlyList<BigLittleModule> Layers, IReadOnlyList<BlBottleneck> Layer4, ConvUnit Fc,
        IReadOnlyList<(string, StreamModule)> Named)
    {
        public static Parts Of(BlvnetConfig c)
        {
            c.Validate();
            double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
            int stem = BlvnetConfig.StemChannels;
            var conv1 = new ConvUnit(3, stem, (1, 7, 7), 2, activation: ActivationKind.Relu, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 3, 3));
            var bl = new BigLittleStem(stem, c.Alpha, eps, momentum);
            var layers = new List<BigLittleModule>();
            int channels = stem;
            int[] strides = [2, 2, 1];
            for (int l = 0; l < 3; l++)
            {
                layers.Add(new BigLittleModule(channels, BlvnetConfig.Widths[l], c.Layers[l], c.LittleBlocks(c.Layers[l]), c.Alpha, strides[l], eps, momentum));
                channels = BlvnetConfig.Widths[l];
            }
            var layer4 = Enumerable.Range(0, c.Layers[3]).Select(i =>
                new BlBottleneck(i == 0 ? channels : BlvnetConfig.Widths[3], BlvnetConfig.Widths[3], i == 0 ? 2 : 1, lastRelu: true, withTam: true, eps, momentum)).ToList();
            // bLVNet_TAM's head: dropout, new_fc on every big frame, the mean of their logits.
            var head = new FrameClassifierHead(BlvnetConfig.Widths[3], c.NumClasses, c.DropoutRate, consensus: true, initStd: 0.001);
            var fc = head.Fc;
            List<(string, StreamModule)> named =
            [
                ("conv1", conv1),
                ("stem", bl),
                .. layers.Select((m, i) => ($"layer{i + 1}", (StreamModule)m)),
                ("big_frames", new BigFramesOnly()),
                ("layer4", new Sequential("Layer4", layer4.Select((b, i) => (i.ToString(), (StreamModule)b)))),
                ("pool", new SpatialAveragePool()),
                ("head", head),
            ];
            return new Parts(conv1, bl, layers, layer4, fc, named);
        }
    }
}
