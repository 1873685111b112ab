using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Families.S3D;

/// <summary>
/// An S3D built from an <see cref="S3DConfig"/>, with torchvision's module names: <c>features</c> (0 separable stem conv, 1 max pool
/// (1,3,3)/(1,2,2), 2 1×1×1 conv, 3 separable conv, 4 max pool, then the Inception stages with a 3×3×3/2 and a 2×2×2/2 max pool
/// between them), <c>avgpool</c> (fixed kernel, stride 1), <c>classifier</c> (dropout → 1×1×1 conv with bias → mean over T, H, W).
/// A clip model (the pools span frames and the mean spans the clip).
/// </summary>
public sealed class S3DNet : VideoModel
{
    private readonly S3DConfig config;

    public override ModelConfig Config => config;
    public S3DConfig Spec => config;
    public ConvUnit Classifier { get; }

    public S3DNet(S3DConfig config) : this(config, Parts(config)) { }

    private S3DNet(S3DConfig config, (List<(string, StreamModule)> Named, ConvUnit Classifier) parts) : base($"S3D-{config.Id}", parts.Named)
    {
        this.config = config;
        Classifier = parts.Classifier;
    }

    private static (List<(string, StreamModule)>, ConvUnit) Parts(S3DConfig c)
    {
        c.Validate();
        double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
        var features = new List<StreamModule>
        {
            new TemporalSeparableConv(3, c.StemChannels, 7, 2, 3, eps, momentum),
            new MaxPool((1, 3, 3), (1, 2, 2), (0, 1, 1)),
            new ConvUnit(c.StemChannels, c.ReduceChannels, (1, 1, 1), activation: ActivationKind.Relu, batchNormEpsilon: eps,
                batchNormMomentum: momentum, padding: (0, 0, 0)),
            new TemporalSeparableConv(c.ReduceChannels, c.ConvChannels, 3, 1, 1, eps, momentum),
            new MaxPool((1, 3, 3), (1, 2, 2), (0, 1, 1)),
        };
        // Between the stages: a 3×3×3 stride-2 pool (padding 1), then a 2×2×2 stride-2 pool.
        StreamModule[] stagePools = [new MaxPool((3, 3, 3), (2, 2, 2), (1, 1, 1)), new MaxPool((2, 2, 2), (2, 2, 2))];
        int channels = c.ConvChannels, block = 0;
        for (int stage = 0; stage < c.StageBlocks.Count; stage++)
        {
            if (stage > 0) features.Add(stagePools[stage - 1]);
            for (int i = 0; i < c.StageBlocks[stage]; i++)
            {
                var spec = c.Inception[block++];
                features.Add(SeparableInceptionBlock.Create(channels, spec, eps, momentum));
                channels = spec.OutChannels;
            }
        }
        var classifier = new ConvUnit(channels, c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false, padding: (0, 0, 0));
        var head = new Sequential("Classifier", [("0", new Dropout(c.DropoutRate)), ("1", classifier), ("mean", new GlobalAveragePool())]);
        List<(string, StreamModule)> named =
        [
            ("input_check", new HeadPoolWindow(c.HeadPool)),
            ("features", new Sequential("Features", features.Select((m, i) => (i.ToString(), m)))),
            ("avgpool", new AveragePool(c.HeadPool, (1, 1, 1))),
            ("classifier", head),
        ];
        return (named, classifier);
    }
}
