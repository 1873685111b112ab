using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// A MoViNet built from a <see cref="MoViNetConfig"/> out of the shared blocks: stem → bottleneck stages (<c>blocks</c>) → head
/// 1×1×1 conv → global average pool (cumulative when causal) → classifier. Input clips are [B, 3, T, H, W], RGB in [0, 1].
/// A causal model answers the clip call, many steps and one step with one semantics (logits after every frame); its state
/// is keyed by module path (<see cref="MoViNetStateNames"/> maps it to the official TensorFlow names).
/// </summary>
public sealed class MoViNet : VideoModel
{
    private readonly MoViNetConfig config;

    public override ModelConfig Config => config;
    public MoViNetConfig Spec => config;
    public ConvUnit Stem { get; }
    public IReadOnlyList<MobileBottleneck> Layers { get; }
    public ConvUnit Head { get; }
    /// <summary>The global pool before the classifier: cumulative (causal) or over the whole clip.</summary>
    public StreamModule Pool { get; }
    public ClassifierHead Classifier { get; }

    public MoViNet(MoViNetConfig config) : this(config, Parts.Of(config)) { }

    /// <summary>A published MoViNet (<c>a0</c> … <c>a5</c>, <c>t0</c>) with fresh weights, optionally with other classes or further changes.</summary>
    public static MoViNet Create(string name, MoViNetVariant variant, int? numClasses = null, Func<MoViNetConfig, MoViNetConfig>? customize = null)
    {
        var config = MoViNetSpecs.Get(name, variant);
        if (numClasses is int classes) config = config with { NumClasses = classes };
        return new MoViNet(customize is null ? config : customize(config));
    }

    private MoViNet(MoViNetConfig config, Parts parts) : base($"MoViNet-{config.Id}", parts.Named)
    {
        this.config = config;
        (Stem, Layers, Head, Pool, Classifier) = (parts.Stem, parts.Layers, parts.Head, parts.Pool, parts.Classifier);
    }

    private sealed record Parts(ConvUnit Stem, Sequential Blocks, IReadOnlyList<MobileBottleneck> Layers, ConvUnit Head, StreamModule Pool, ClassifierHead Classifier)
    {
        public IEnumerable<(string, StreamModule)> Named =>
            [("stem", Stem), ("blocks", Blocks), ("head", Head), ("pool", Pool), ("classifier", Classifier)];

        public static Parts Of(MoViNetConfig c)
        {
            var execution = c.ConvType == ConvType.TwoPlusOneD ? ConvExecution.Conv2dOnFrames : ConvExecution.Conv3d;
            double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
            var stem = new ConvUnit(3, c.StemChannels, (1, 3, 3), 2, activation: c.Activation, execution: execution,
                batchNormEpsilon: eps, batchNormMomentum: momentum);
            var layers = new List<(string, MobileBottleneck)>();
            int channels = c.StemChannels, index = 0;
            for (int b = 0; b < c.Stages.Count; b++)
            {
                var stage = c.Stages[b];
                for (int l = 0; l < stage.Layers.Count; l++)
                {
                    var spec = stage.Layers[l];
                    index++;
                    layers.Add(($"b{b}_l{l}", new MobileBottleneck(new BottleneckOptions(
                        channels, stage.OutChannels, spec.ExpandChannels, (spec.KernelTime, spec.KernelSize), l == 0 ? stage.Stride : 1,
                        c.ConvType, c.SeType, c.Activation, c.Gate, c.Causal, c.PositionalEncoding,
                        c.ReZero, c.StochasticDepthRate * index / c.LayerCount, eps, momentum))));
                    channels = stage.OutChannels;
                }
            }
            var head = new ConvUnit(channels, c.HeadChannels, (1, 1, 1), activation: c.Activation, execution: execution,
                batchNormEpsilon: eps, batchNormMomentum: momentum);
            StreamModule pool = c.Causal ? new CumulativeAveragePool() : new GlobalAveragePool();
            var classifier = new ClassifierHead(c.HeadChannels, c.HiddenChannels, c.NumClasses, c.ClassifierActivation, c.DropoutRate, execution);
            return new Parts(stem, new Sequential("Blocks", layers.Select(l => (l.Item1, (StreamModule)l.Item2))),
                layers.Select(l => l.Item2).ToList(), head, pool, classifier);
        }
    }
}
