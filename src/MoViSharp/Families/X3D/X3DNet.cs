using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Families.X3D;

/// <summary>
/// An X3D built from an <see cref="X3DConfig"/> out of the shared blocks: <c>stem</c> (1×3×3 conv, stride 2, then a channel-wise
/// 5×1×1 conv → BN → ReLU), <c>res2</c>…<c>res5</c> (<see cref="X3DBlock"/>s), and <c>head</c>: 1×1×1 conv → BN → ReLU, an average
/// pool over the build clip's fixed T×⌈S/32⌉² window (stride 1), 1×1×1 conv to 2048 → ReLU, dropout, the classifier (a 1×1×1 conv
/// with bias = PyTorchVideo's Linear on channels-last features), and the mean of what is left (PyTorchVideo's output pool).
/// A clip model; every temporal conv is padded k/2 on both sides, so <see cref="Continual.ContinualConversion"/> turns it into
/// CoX3D without touching a weight.
/// </summary>
public sealed class X3DNet : VideoModel
{
    private readonly X3DConfig config;

    public override ModelConfig Config => config;
    public X3DConfig Spec => config;
    public ConvUnit StemSpatial { get; }
    public ConvUnit StemTemporal { get; }
    public IReadOnlyList<IReadOnlyList<X3DBlock>> Stages { get; }
    public ConvUnit HeadPreConv { get; }
    public ConvUnit HeadPostConv { get; }
    public ConvUnit Classifier { get; }

    public X3DNet(X3DConfig config) : this(config, Parts.Of(config)) { }

    private X3DNet(X3DConfig config, Parts parts) : base($"X3D-{config.Id}", parts.Named)
    {
        this.config = config;
        (StemSpatial, StemTemporal, Stages, HeadPreConv, HeadPostConv, Classifier) =
            (parts.StemSpatial, parts.StemTemporal, parts.Stages, parts.PreConv, parts.PostConv, parts.Classifier);
    }

    /// <summary>The clip call checks first that the clip covers the head's fixed pool (a clear error instead of libtorch's).</summary>
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
        var pool = config.HeadPool;
        var (mt, mh, mw) = X3DConfig.FinalMap(t, h, w, config.StageWidths.Count);
        if (mt >= pool.Time && mh >= pool.Height && mw >= pool.Width) return;
        throw new ArgumentException($"{config.Name} is built for {config.Frames}×{config.CropSize}² clips: its head pools a fixed {pool.Time}×{pool.Height}×{pool.Width} " +
            $"window, but a {t}×{h}×{w} clip leaves a {mt}×{mh}×{mw} feature map (give at least {config.Frames} frames of {config.CropSize}², or a config " +
            "built for the smaller clip, e.g. train --frames/--size).");
    }

    private sealed record Parts(ConvUnit StemSpatial, ConvUnit StemTemporal, IReadOnlyList<IReadOnlyList<X3DBlock>> Stages, ConvUnit PreConv,
        ConvUnit PostConv, ConvUnit Classifier, IReadOnlyList<(string, StreamModule)> Named)
    {
        public static Parts Of(X3DConfig c)
        {
            c.Validate();
            double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
            var spatial = new ConvUnit(3, c.StemWidth, (1, 3, 3), 2, batchNorm: false, padding: (0, 1, 1));
            var temporal = new ConvUnit(c.StemWidth, c.StemWidth, (c.StemTemporalKernel, 1, 1), groups: c.StemWidth, activation: ActivationKind.Relu,
                batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (c.StemTemporalKernel / 2, 0, 0));
            var stages = new List<IReadOnlyList<X3DBlock>>();
            int width = c.StemWidth;
            for (int s = 0; s < c.StageWidths.Count; s++)
            {
                var blocks = new List<X3DBlock>();
                for (int b = 0; b < c.Depths[s]; b++)
                {
                    // SE on blocks 0, 2, 4, … of every stage; the first block strides and projects.
                    blocks.Add(new X3DBlock(width, c.InnerWidths[s], c.StageWidths[s], b == 0 ? 2 : 1, c.BlockTemporalKernel,
                        b % 2 == 0 ? c.SeWidths[s] : 0, eps, momentum));
                    width = c.StageWidths[s];
                }
                stages.Add(blocks);
            }
            var preConv = new ConvUnit(width, c.HeadInnerWidth, (1, 1, 1), activation: ActivationKind.Relu, batchNormEpsilon: eps,
                batchNormMomentum: momentum, padding: (0, 0, 0));
            var postConv = new ConvUnit(c.HeadInnerWidth, c.HeadWidth, (1, 1, 1), batchNorm: false, activation: ActivationKind.Relu, padding: (0, 0, 0));
            var classifier = new ConvUnit(c.HeadWidth, c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false, padding: (0, 0, 0));
            using (no_grad()) nn.init.normal_(classifier.Weight, 0, 0.01);
            var head = new Sequential("Head",
            [
                ("pre_conv", preConv),
                ("pool", new AveragePool(c.HeadPool, (1, 1, 1))),
                ("post_conv", postConv),
                ("dropout", new Dropout(c.DropoutRate)),
                ("proj", classifier),
                ("output_pool", new GlobalAveragePool()),
            ]);
            List<(string, StreamModule)> named =
            [
                ("stem", new Sequential("Stem", [("spatial", spatial), ("temporal", temporal)])),
                .. stages.Select((blocks, s) => ($"res{s + 2}", (StreamModule)new Sequential($"Res{s + 2}", blocks.Select((b, j) => (j.ToString(), (StreamModule)b))))),
                ("head", head),
            ];
            return new Parts(spatial, temporal, stages, preConv, postConv, classifier, named);
        }
    }
}
