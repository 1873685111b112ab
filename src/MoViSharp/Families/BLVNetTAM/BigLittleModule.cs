using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// bLVNet's bL module (layers 1–3): TAM on all frames; big = blocks − 1 bottlenecks on the odd frames, the first with stride 2
/// (half resolution), the last without its final ReLU; little = max(1, blocks/β − 1) bottlenecks of width out/α on the even
/// frames at full resolution, then little_e (1×1 conv → BN) up to out; big upsampled (nearest) to little's size and added pairwise,
/// ReLU, one fusion bottleneck with the layer's stride, written to both frames of each pair.
/// </summary>
public sealed class BigLittleModule : StreamModule
{
    public TemporalAggregation Tam { get; }
    public IReadOnlyList<BlBottleneck> Big { get; }
    public IReadOnlyList<BlBottleneck> Little { get; }
    public ConvUnit LittleExpand { get; }
    public BlBottleneck Fusion { get; }

    private readonly Sequential big, little;

    public BigLittleModule(int inChannels, int outChannels, int blocks, int littleBlocks, int alpha, int stride, double eps, double momentum)
        : base(nameof(BigLittleModule))
    {
        Tam = new TemporalAggregation(inChannels);
        Big = Layer(inChannels, outChannels, blocks - 1, 2, lastRelu: false, eps, momentum);
        Little = Layer(inChannels, outChannels / alpha, littleBlocks, 1, lastRelu: true, eps, momentum);
        LittleExpand = new ConvUnit(outChannels / alpha, outChannels, (1, 1, 1), batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        Fusion = Layer(outChannels, outChannels, 1, stride, lastRelu: true, eps, momentum)[0];
        big = new Sequential("Big", Big.Select((b, i) => (i.ToString(), (StreamModule)b)));
        little = new Sequential("Little", Little.Select((b, i) => (i.ToString(), (StreamModule)b)));
        register_module("tam", Tam);
        register_module("big", big);
        register_module("little", little);
        register_module("little_e", LittleExpand);
        register_module("fusion", Fusion);
    }

    /// <summary>bLVNet's _make_layer: the first block strides (and downsamples); only a layer of several blocks honours last_relu.</summary>
    public static List<BlBottleneck> Layer(int inChannels, int outChannels, int blocks, int stride, bool lastRelu, double eps, double momentum) =>
    [
        .. Enumerable.Range(0, blocks).Select(i => new BlBottleneck(i == 0 ? inChannels : outChannels, outChannels, i == 0 ? stride : 1,
            blocks == 1 || i < blocks - 1 || lastRelu, withTam: false, eps, momentum)),
    ];

    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        BigLittleFrames.CheckEven(x, Path);
        x = Tam.Forward(x, null);
        var b = big.Forward(BigLittleFrames.Big(x), null);
        var l = LittleExpand.Forward(little.Forward(BigLittleFrames.Little(x), null), null);
        // F.interpolate's default (nearest) over H, W; frames stay paired.
        b = F.interpolate(b, [b.shape[2], l.shape[3], l.shape[4]], mode: InterpolationMode.Nearest);
        return BigLittleFrames.ToBothSlots(Fusion.Forward(F.relu(b.add(l)), null));
    }

    public override string NotStreamableReason => $"{(Path.Length == 0 ? "a big-little module" : Path)} pairs frames; bLVNet-TAM runs on clips only.";

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var x = Tam.Trace(input, trace);
        var half = x with { Frames = x.Frames / 2 };
        big.Trace(half, trace);
        var l = LittleExpand.Trace(little.Trace(half, trace), trace);
        return Fusion.Trace(l, trace) with { Frames = input.Frames };
    }
}
