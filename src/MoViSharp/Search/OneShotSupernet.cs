using MoViSharp.Families.MoViNets;
using MoViSharp.Layers;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>
/// The weight-sharing supernet of a <see cref="OneShotSpace"/>: one stem, head and classifier shared by every path, and per layer
/// slot one <see cref="MobileBottleneck"/> per kernel at the block's widest expansion, built exactly as <see cref="MoViNet"/>
/// builds its layers (same options). Narrower expansions are channel slices of it (TuNAS's filter-size sharing): a layer of
/// expansion e uses the first e expansion channels (and the SE's first hidden units of width e), so every expansion of a
/// kernel trains the same weights, and a path's weights copy slice by slice into the standalone network it names. A path runs
/// the stem, the chosen candidate of the first <c>depth</c> slots of each block (the others are skipped: they are stride 1
/// with equal widths, so skipping is the identity), the head, pool and classifier. Dropout and stochastic depth are off (TuNAS
/// trains the shared weights plainly).
/// </summary>
public sealed class OneShotSupernet : nn.Module<Tensor, Tensor>
{
    private readonly OneShotSpace space;
    private readonly ConvUnit stem;
    private readonly MobileBottleneck[][][] candidates;   // [block][layer][kernel], each at the block's widest expansion
    private readonly ConvUnit head;
    private readonly StreamModule pool;
    private readonly ClassifierHead classifier;

    public OneShotSpace SearchSpace => space;
    /// <summary>The MoViNet configuration of the largest path; its knobs (conv type, activations, SE type) are every path's.</summary>
    public MoViNetConfig Template { get; }

    public OneShotSupernet(OneShotSpace space, int classes) : base(nameof(OneShotSupernet))
    {
        this.space = space;
        var c = space.Space.ToConfig(space.ToArchitecture(space.Largest()), classes, "supernet") with { DropoutRate = 0, StochasticDepthRate = 0 };
        Template = c;
        var execution = c.ConvType == ConvType.TwoPlusOneD ? ConvExecution.Conv2dOnFrames : ConvExecution.Conv3d;
        double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
        stem = new ConvUnit(3, space.Stem, (1, 3, 3), 2, activation: c.Activation, execution: execution, batchNormEpsilon: eps, batchNormMomentum: momentum);
        register_module("stem", stem);
        int channels = space.Stem;
        candidates = new MobileBottleneck[space.Widths.Count][][];
        for (int b = 0; b < space.Widths.Count; b++)
        {
            candidates[b] = new MobileBottleneck[space.Space.DepthMax][];
            for (int l = 0; l < space.Space.DepthMax; l++)
            {
                var slot = new MobileBottleneck[space.Space.Kernels.Count];
                for (int k = 0; k < slot.Length; k++)
                {
                    slot[k] = new MobileBottleneck(new BottleneckOptions(channels, space.Widths[b], space.Expansions[b][^1],
                        space.Space.Kernels[k], l == 0 ? space.Space.Blocks[b].Stride : 1, c.ConvType, c.SeType, c.Activation, c.Gate,
                        c.Causal, c.PositionalEncoding, c.ReZero, 0, eps, momentum));
                    register_module($"b{b}_l{l}_k{k}", slot[k]);
                }
                candidates[b][l] = slot;
                channels = space.Widths[b];
            }
        }
        head = new ConvUnit(channels, space.Head, (1, 1, 1), activation: c.Activation, execution: execution, batchNormEpsilon: eps, batchNormMomentum: momentum);
        register_module("head", head);
        pool = c.Causal ? new CumulativeAveragePool() : new GlobalAveragePool();
        register_module("pool", pool);
        classifier = new ClassifierHead(space.Head, c.HiddenChannels, classes, c.ClassifierActivation, 0, execution);
        register_module("classifier", classifier);
    }

    /// <summary>
    /// The bottleneck that layer <paramref name="l"/> of block <paramref name="b"/> runs on <paramref name="path"/> (its kernel's,
    /// at the widest expansion) and the expansion width it is sliced to.
    /// </summary>
    public (MobileBottleneck Layer, int Expansion) Candidate(IReadOnlyList<int> path, int b, int l) =>
        (candidates[b][l][path[space.KernelDecision(b, l)]], space.Expansions[b][path[space.ExpandDecision(b, l)]]);

    /// <summary>Every candidate count, for reports.</summary>
    public int CandidateCount => candidates.Sum(b => b.Sum(l => l.Length));

    /// <summary>Runs the largest path (the module contract); use <see cref="Forward(Tensor, IReadOnlyList{int})"/> for others.</summary>
    public override Tensor forward(Tensor clip) => Forward(clip, space.Largest());

    /// <summary>Logits [B, K] of clips [B, 3, T, H, W] (RGB in [0, 1]) on <paramref name="path"/>: after the last frame when causal.</summary>
    public Tensor Forward(Tensor clip, IReadOnlyList<int> path)
    {
        if (clip.dim() != 5 || clip.shape[1] != 3)
            throw new ArgumentException($"The supernet takes clips [B, 3, T, H, W], got [{string.Join(", ", clip.shape)}].", nameof(clip));
        if (path.Count != space.Decisions.Count) throw new ArgumentException($"A path has {space.Decisions.Count} choices, got {path.Count}.", nameof(path));
        using var scope = NewDisposeScope();
        var x = stem.forward(clip);
        for (int b = 0; b < candidates.Length; b++)
        {
            int depth = space.Depths[path[space.DepthDecision(b)]];
            for (int l = 0; l < depth; l++)
            {
                var (layer, expansion) = Candidate(path, b, l);
                x = Sliced(layer, expansion, x);
            }
        }
        x = classifier.forward(pool.forward(head.forward(x)));       // [B, K, T', 1, 1]
        return x.flatten(2).select(2, -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="layer"/> as if it had only its first <paramref name="expansion"/> expansion channels: the clip call of
    /// <see cref="MobileBottleneck"/> (a <see cref="Streaming.Containers.Residual"/> whose delay alignment is the identity on
    /// clips) with the channels beyond the slice zeroed after the depthwise feature. Expansion, batch norms and depthwise
    /// convolution act per channel, so the kept channels are the narrow layer's; the masked ones still see their real inputs,
    /// which keeps their batch-norm statistics those of the wider paths that use them. Zeroed channels add nothing to the SE's
    /// reduction or the projection, and the SE's hidden units beyond the narrow layer's width are masked too.
    /// </summary>
    private static Tensor Sliced(MobileBottleneck layer, int expansion, Tensor x)
    {
        int widest = layer.Options.ExpandChannels;
        if (expansion == widest) return layer.forward(x);
        var identity = layer.Skip is null ? x : layer.Skip.forward(x);
        var y = layer.Feature.forward(layer.Expansion.forward(x)).mul(ChannelMask(widest, expansion, x));
        if (layer.SqueezeExcitation is { } se)
            y = se.Forward(y, null, ChannelMask(se.HiddenChannels, SqueezeExcitation.HiddenWidth(expansion, se.Type), x));
        y = layer.Projection.forward(y);
        if (layer.ReZeroScale is { } scale) y = y.mul(scale);
        return identity.add(y);
    }

    /// <summary>[1, <paramref name="channels"/>, 1, 1, 1]: ones for the first <paramref name="kept"/> channels, zeros after.</summary>
    private static Tensor ChannelMask(int channels, int kept, Tensor like)
    {
        var mask = zeros([1L, channels, 1, 1, 1], dtype: like.dtype, device: like.device);
        mask.narrow(1, 0, kept).fill_(1);
        return mask;
    }

    /// <summary>
    /// A standalone network of <paramref name="path"/> built through the registry (<see cref="MoViNetSearchSpace.ToConfig"/>) with
    /// the supernet's weights and batch-norm statistics copied in: the shared weights as a starting point, and the check that a
    /// path is the network it names.
    /// </summary>
    public MoViNet Extract(IReadOnlyList<int> path, int classes, string name = "searched")
    {
        var config = space.Space.ToConfig(space.ToArchitecture(path), classes, name);
        var net = (MoViNet)Models.ModelRegistry.Build(config);
        using var _ = no_grad();
        Copy(stem, net.Stem);
        int i = 0;
        for (int b = 0; b < candidates.Length; b++)
            for (int l = 0; l < space.Depths[path[space.DepthDecision(b)]]; l++)
            {
                var (layer, _) = Candidate(path, b, l);
                CopySlice(layer, (MobileBottleneck)net.Layers[i++]);
            }
        Copy(head, net.Head);
        Copy(classifier, net.Classifier);
        return net;
    }

    private static void Copy(nn.Module from, nn.Module to)
    {
        var source = from.state_dict();
        foreach (var (name, target) in to.state_dict())
        {
            if (!source.TryGetValue(name, out var value) || !value.shape.SequenceEqual(target.shape))
                throw new InvalidOperationException($"Supernet tensor '{name}' is missing or has another shape than the standalone network's.");
            target.copy_(value);
        }
    }

    /// <summary>
    /// Copies the widest layer <paramref name="from"/> into the narrower <paramref name="to"/>: every tensor's leading slice
    /// along each axis whose size differs (expansion channels, SE hidden units). A 2plus3d SE's reduction reads the frame's
    /// features and the causal context side by side, so its input axis is two slices: the first channels of each half.
    /// </summary>
    private static void CopySlice(MobileBottleneck from, MobileBottleneck to)
    {
        var source = from.state_dict();
        string? concatenatedInput = from.SqueezeExcitation is { Type: SqueezeExcitationType.TwoPlusThreeD } se
            ? from.named_modules().First(m => ReferenceEquals(m.module, se.Reduce)).name + "." : null;
        foreach (var (name, target) in to.state_dict())
        {
            if (!source.TryGetValue(name, out var value) || value.dim() != target.dim())
                throw new InvalidOperationException($"Supernet tensor '{name}' is missing or has another rank than the standalone network's.");
            var slice = value;
            for (int d = 0; d < target.dim(); d++)
            {
                long have = slice.shape[d], want = target.shape[d];
                if (have == want) continue;
                if (want > have) throw new InvalidOperationException($"Standalone tensor '{name}' is wider than the supernet's on axis {d} ({want} > {have}).");
                slice = concatenatedInput is not null && name.StartsWith(concatenatedInput, StringComparison.Ordinal) && d == 1
                    ? cat([slice.narrow(1, 0, want / 2), slice.narrow(1, have / 2, want / 2)], 1)
                    : slice.narrow(d, 0, want);
            }
            target.copy_(slice);
        }
    }
}
