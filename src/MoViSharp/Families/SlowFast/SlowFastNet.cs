using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Families.SlowFast;

/// <summary>
/// PyTorchVideo's Slow or SlowFast ResNet from a <see cref="SlowFastConfig"/>. Slow (no fast pathway): <c>stem</c> (k×7×7 conv,
/// stride 2 → BN → ReLU → 1×3×3 max pool, stride 2), <c>res2</c>…<c>res5</c> (<see cref="ResNetBottleneck"/>s), <c>head</c>: the
/// fixed T×7×7 average pool (stride 1), dropout, the classifier (1×1×1 conv with bias = PyTorchVideo's Linear on channels-last
/// features) and the mean of what is left. Its temporal convs are padded k/2, so the continual conversion makes CoSlow of it.
/// SlowFast: <c>pathways</c> (<see cref="SlowFastPathways"/>, clip only) and the same head without its pool.
/// </summary>
public sealed class SlowFastNet : VideoModel
{
    private readonly SlowFastConfig config;

    public override ModelConfig Config => config;
    public SlowFastConfig Spec => config;
    /// <summary>The slow model's stem conv and stages (null for SlowFast).</summary>
    public ConvUnit? StemConv { get; }
    public IReadOnlyList<Sequential> Stages { get; }
    /// <summary>The two pathways of a SlowFast (null for Slow).</summary>
    public SlowFastPathways? Pathways { get; }
    public ConvUnit Classifier { get; }

    public SlowFastNet(SlowFastConfig config) : this(config, Parts.Of(config)) { }

    private SlowFastNet(SlowFastConfig config, Parts parts) : base($"SlowFast-{config.Id}", parts.Named)
    {
        this.config = config;
        (StemConv, Stages, Pathways, Classifier) = (parts.StemConv, parts.Stages, parts.Pathways, parts.Classifier);
    }

    /// <summary>A pathway's stem: k×7×7 conv, stride (1,2,2), padded (k/2,3,3) → BN → ReLU → 1×3×3 max pool, stride (1,2,2), padded (0,1,1).</summary>
    internal static Sequential Stem(int inWidth, int width, int temporalKernel, double eps, double momentum) => new("Stem",
    [
        ("conv", new ConvUnit(inWidth, width, (temporalKernel, 7, 7), 2, activation: ActivationKind.Relu, batchNormEpsilon: eps,
            batchNormMomentum: momentum, padding: (temporalKernel / 2, 3, 3))),
        ("pool", new MaxPool((1, 3, 3), (1, 2, 2), (0, 1, 1))),
    ]);

    /// <summary>The clip call checks first that the clip covers the head's fixed pools (a clear error instead of libtorch's).</summary>
    public override Tensor Forward(Tensor input, StreamState? state)
    {
        if (state is null) CheckClip(input.shape[2], input.shape[3], input.shape[4]);
        return base.Forward(input, state);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        CheckClip(input.Frames, input.Height, input.Width);
        return base.Trace(input, trace);
    }

    private void CheckClip(long t, long h, long w)
    {
        var pool = config.SlowHeadPool;
        var (mt, mh, mw) = SlowFastConfig.FinalMap(config.SlowFrames(t), h, w);
        if (mt >= pool.Time && mh >= pool.Height && mw >= pool.Width) return;
        throw new ArgumentException($"{config.Name} is built for {config.Frames}×{config.CropSize}² clips: its head pools a fixed {pool.Time}×{pool.Height}×{pool.Width} " +
            $"window{(config.HasFast ? " of the slow pathway" : "")}, but a {t}×{h}×{w} clip leaves a {mt}×{mh}×{mw} feature map (give at least " +
            $"{config.Frames} frames of {config.CropSize}², or a config built for the smaller clip, e.g. train --frames/--size).");
    }

    private sealed record Parts(ConvUnit? StemConv, IReadOnlyList<Sequential> Stages, SlowFastPathways? Pathways, ConvUnit Classifier,
        IReadOnlyList<(string, StreamModule)> Named)
    {
        public static Parts Of(SlowFastConfig c)
        {
            c.Validate();
            double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
            var widths = c.StageWidths;
            int features = c.HasFast ? widths[^1] + widths[^1] / c.FastChannelRatio : widths[^1];
            var classifier = new ConvUnit(features, c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false, padding: (0, 0, 0));
            using (no_grad()) nn.init.normal_(classifier.Weight, 0, 0.01);
            List<(string, StreamModule)> head = [("dropout", new Dropout(c.DropoutRate)), ("proj", classifier), ("output_pool", new GlobalAveragePool())];
            if (c.HasFast)
            {
                var pathways = new SlowFastPathways(c);
                return new Parts(null, [], pathways, classifier, [("pathways", pathways), ("head", new Sequential("Head", head))]);
            }
            var stem = Stem(3, c.StemWidth, c.SlowStemTemporalKernel, eps, momentum);
            var stages = new List<Sequential>();
            int width = c.StemWidth;
            for (int s = 0; s < widths.Length; s++)
            {
                stages.Add(ResNetBottleneck.Stage($"Res{s + 2}", c.Depths[s], width, widths[s] / 4, widths[s], c.SlowConvAKernels[s], s == 0 ? 1 : 2, eps, momentum));
                width = widths[s];
            }
            head.Insert(0, ("pool", new AveragePool(c.SlowHeadPool, (1, 1, 1))));
            List<(string, StreamModule)> named =
            [
                ("stem", stem),
                .. stages.Select((stage, s) => ($"res{s + 2}", (StreamModule)stage)),
                ("head", new Sequential("Head", head)),
            ];
            return new Parts((ConvUnit)stem.Items[0].Module, stages, null, classifier, named);
        }
    }
}
