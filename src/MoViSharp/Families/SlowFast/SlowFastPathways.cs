using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;

namespace MoViSharp.Families.SlowFast;

/// <summary>
/// The two pathways of a SlowFast up to the pooled features: the input clip is the fast pathway's; the slow pathway takes its
/// frames <c>linspace(0, T−1, T/α)</c>. Each stage runs on both, then the lateral fusion (a (k,1,1) conv with temporal stride α
/// on the fast features → BN → ReLU) is concatenated to the slow features after the stem and after every stage but the last.
/// Each pathway ends in its fixed average pool (stride 1); the output is [slow, fast] concatenated on channels. Built from
/// shared blocks, but the frame sampling spans the clip, so it runs on clips only.
/// </summary>
public sealed class SlowFastPathways : StreamModule
{
    private readonly SlowFastConfig config;
    private readonly List<(StreamModule Slow, StreamModule Fast, ConvUnit? Fusion)> levels = [];
    private readonly AveragePool slowPool, fastPool;

    /// <summary>The configuration it was built from (its slow-frame sampling).</summary>
    public SlowFastConfig Spec => config;

    /// <summary>Per level (stem, res2, …): the slow part, the fast part, and the fusion after them (none after the last stage).</summary>
    public IReadOnlyList<(StreamModule Slow, StreamModule Fast, ConvUnit? Fusion)> Levels => levels;

    public SlowFastPathways(SlowFastConfig c) : base(nameof(SlowFastPathways))
    {
        config = c;
        double eps = c.BatchNormEpsilon, momentum = c.BatchNormMomentum;
        int ratio = c.FastChannelRatio, fastStem = c.StemWidth / ratio;
        ConvUnit Fusion(int slowWidth) => new(slowWidth / ratio, slowWidth * c.FusionChannelRatio / ratio, (c.FusionKernel, 1, 1),
            activation: ActivationKind.Relu, batchNormEpsilon: eps, batchNormMomentum: momentum, temporalStride: c.Alpha,
            padding: (c.FusionKernel / 2, 0, 0));
        Add(SlowFastNet.Stem(3, c.StemWidth, c.SlowStemTemporalKernel, eps, momentum), SlowFastNet.Stem(3, fastStem, c.FastStemTemporalKernel, eps, momentum),
            Fusion(c.StemWidth), "stem");
        int slowIn = c.StemWidth, fastIn = fastStem;
        var widths = c.StageWidths;
        for (int s = 0; s < widths.Length; s++)
        {
            int width = widths[s];
            int slowInput = slowIn + slowIn * c.FusionChannelRatio / ratio;              // the fused channels ride along
            var slow = ResNetBottleneck.Stage($"SlowRes{s + 2}", c.Depths[s], slowInput, width / 4, width, c.SlowConvAKernels[s], s == 0 ? 1 : 2, eps, momentum);
            var fast = ResNetBottleneck.Stage($"FastRes{s + 2}", c.Depths[s], fastIn, width / 4 / ratio, width / ratio, c.FastConvAKernels[s], s == 0 ? 1 : 2, eps, momentum);
            Add(slow, fast, s + 1 < widths.Length ? Fusion(width) : null, $"res{s + 2}");
            slowIn = width;
            fastIn = width / ratio;
        }
        register_module("slow_pool", slowPool = new AveragePool(c.SlowHeadPool, (1, 1, 1)));
        register_module("fast_pool", fastPool = new AveragePool(c.FastHeadPool, (1, 1, 1)));
    }

    private void Add(StreamModule slow, StreamModule fast, ConvUnit? fusion, string level)
    {
        register_module($"slow_{level}", slow);
        register_module($"fast_{level}", fast);
        if (fusion is not null) register_module($"fusion_{level}", fusion);
        levels.Add((slow, fast, fusion));
    }

    /// <summary>Every part is registered explicitly, by name.</summary>
    protected override void RegisterComponents() { }

    public override string NotStreamableReason =>
        $"{(Path.Length == 0 ? "SlowFast" : Path)} samples its slow frames across the whole clip (linspace over T), so it runs on clips only.";

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        using var indices = tensor(config.SlowIndices(input.shape[2]), device: input.device);
        var slow = input.index_select(2, indices);
        var fast = input;
        foreach (var (slowPart, fastPart, fusion) in levels)
        {
            slow = slowPart.Forward(slow, null);
            fast = fastPart.Forward(fast, null);
            if (fusion is not null) slow = cat([slow, fusion.Forward(fast, null)], 1);
        }
        return cat([slowPool.Forward(slow, null), fastPool.Forward(fast, null)], 1);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var slow = input with { Frames = config.SlowFrames(input.Frames) };
        var fast = input;
        foreach (var (slowPart, fastPart, fusion) in levels)
        {
            slow = slowPart.Trace(slow, trace);
            fast = fastPart.Trace(fast, trace);
            if (fusion is not null) slow = slow with { Channels = slow.Channels + fusion.Trace(fast, trace).Channels };
        }
        slow = slowPool.Trace(slow, trace);
        fast = fastPool.Trace(fast, trace);
        return slow with { Channels = slow.Channels + fast.Channels };
    }
}
