using MoViSharp.Families.MoViNets;
using MoViSharp.Layers;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>
/// The weight-sharing supernet of a <see cref="OneShotSpace"/>: one stem, head and classifier shared by every path, and per layer
/// slot one <see cref="MobileBottleneck"/> per (kernel, expansion) candidate, built exactly as <see cref="MoViNet"/> builds its
/// layers (same options, so a path's weights copy one to one into the standalone network it names). A path runs the stem, the
/// chosen candidate of the first <c>depth</c> slots of each block (the others are skipped: they are stride 1 with equal
/// widths, so skipping is the identity), the head, pool and classifier. Dropout and stochastic depth are off (TuNAS trains the
/// shared weights plainly).
/// </summary>
public sealed class OneShotSupernet : nn.Module<Tensor, Tensor>
{
    private readonly OneShotSpace space;
    private readonly ConvUnit stem;
    private readonly MobileBottleneck[][][] candidates;   // [block][layer][kernel * expansions + expansion]
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
                var slot = new List<MobileBottleneck>();
                for (int k = 0; k < space.Space.Kernels.Count; k++)
                    foreach (int expand in space.Expansions[b])
                    {
                        var m = new MobileBottleneck(new BottleneckOptions(channels, space.Widths[b], expand, space.Space.Kernels[k],
                            l == 0 ? space.Space.Blocks[b].Stride : 1, c.ConvType, c.SeType, c.Activation, c.Gate, c.Causal,
                            c.PositionalEncoding, c.ReZero, 0, eps, momentum));
                        register_module($"b{b}_l{l}_k{k}_e{expand}", m);
                        slot.Add(m);
                    }
                candidates[b][l] = slot.ToArray();
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

    /// <summary>The candidate that layer <paramref name="l"/> of block <paramref name="b"/> runs on <paramref name="path"/>.</summary>
    public MobileBottleneck Candidate(IReadOnlyList<int> path, int b, int l) =>
        candidates[b][l][path[space.KernelDecision(b, l)] * space.Expansions[b].Count + path[space.ExpandDecision(b, l)]];

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
            for (int l = 0; l < depth; l++) x = Candidate(path, b, l).forward(x);
        }
        x = classifier.forward(pool.forward(head.forward(x)));       // [B, K, T', 1, 1]
        return x.flatten(2).select(2, -1).MoveToOuterDisposeScope();
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
                Copy(Candidate(path, b, l), net.Layers[i++]);
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
}
