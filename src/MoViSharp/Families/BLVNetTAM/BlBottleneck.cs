using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// bLVNet's bottleneck on every frame: conv1 1×1 to out/4 → BN → ReLU, conv2 3×3 (stride) → BN → ReLU, conv3 1×1 to out → BN,
/// plus the shortcut, then ReLU unless it is the big branch's last block. The shortcut is the identity, or a 3×3 average pool
/// (stride 2, padding 1, zeros counted) when strided, then a 1×1 conv → BN when the width changes. With a TAM (layer4) the branch
/// reads TAM(x), and so does a downsampling shortcut — upstream rebinds x before the shortcut —, while an identity shortcut keeps x.
/// </summary>
public sealed class BlBottleneck : StreamModule
{
    private readonly Sequential? downsample;

    public TemporalAggregation? Tam { get; }
    public ConvUnit Conv1 { get; }
    public ConvUnit Conv2 { get; }
    public ConvUnit Conv3 { get; }
    public AveragePool? DownsamplePool { get; }
    public ConvUnit? DownsampleConv { get; }
    public bool LastRelu { get; }

    public BlBottleneck(int inChannels, int outChannels, int stride, bool lastRelu, bool withTam, double eps, double momentum)
        : base(nameof(BlBottleneck))
    {
        int width = outChannels / 4;
        LastRelu = lastRelu;
        Conv1 = new ConvUnit(inChannels, width, (1, 1, 1), activation: ActivationKind.Relu, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        Conv2 = new ConvUnit(width, width, (1, 3, 3), stride, activation: ActivationKind.Relu, batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 1, 1));
        Conv3 = new ConvUnit(width, outChannels, (1, 1, 1), batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0));
        register_module("conv1", Conv1);
        register_module("conv2", Conv2);
        register_module("conv3", Conv3);
        var shortcut = new List<(string, StreamModule)>();
        if (stride != 1) shortcut.Add(("pool", DownsamplePool = new AveragePool((1, 3, 3), (1, 2, 2), (0, 1, 1), countIncludePad: true)));
        if (inChannels != outChannels)
            shortcut.Add(("conv", DownsampleConv = new ConvUnit(inChannels, outChannels, (1, 1, 1), batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, 0, 0))));
        if (shortcut.Count > 0) register_module("downsample", downsample = new Sequential("Downsample", shortcut));
        if (withTam) register_module("tam", Tam = new TemporalAggregation(inChannels));
    }

    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var input = Tam is null ? x : Tam.Forward(x, state);
        var y = Conv3.Forward(Conv2.Forward(Conv1.Forward(input, state), state), state);
        y = y.add(downsample is null ? x : downsample.Forward(input, state));
        return LastRelu ? F.relu(y) : y;
    }

    public override TemporalProfile Temporal => Tam?.Temporal ?? TemporalProfile.Pointwise;

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var shape = Tam?.Trace(input, trace) ?? input;
        downsample?.Trace(shape, trace);
        return Conv3.Trace(Conv2.Trace(Conv1.Trace(shape, trace), trace), trace);
    }
}
