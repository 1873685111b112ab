using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// bLVNet's bL layer 0 (after conv1): TAM, then big = b_conv0 3×3/2 → BN on the odd frames, little = l_conv0 3×3 (÷α) → BN → ReLU →
/// l_conv1 3×3/2 → BN → ReLU → l_conv2 1×1 back to 64 → BN on the even frames; ReLU(big + little) → bl_init 1×1 → BN → ReLU, written
/// to both frames of each pair.
/// </summary>
public sealed class BigLittleStem : StreamModule
{
    public TemporalAggregation Tam { get; }
    public ConvUnit BigConv { get; }
    public ConvUnit LittleConv0 { get; }
    public ConvUnit LittleConv1 { get; }
    public ConvUnit LittleConv2 { get; }
    public ConvUnit Init { get; }

    public BigLittleStem(int channels, int alpha, double eps, double momentum) : base(nameof(BigLittleStem))
    {
        int little = channels / alpha;
        ConvUnit Conv(int from, int to, int k, int stride, ActivationKind act) => new(from, to, (1, k, k), stride, activation: act,
            batchNormEpsilon: eps, batchNormMomentum: momentum, padding: (0, k / 2, k / 2));
        Tam = new TemporalAggregation(channels);
        BigConv = Conv(channels, channels, 3, 2, ActivationKind.Identity);
        LittleConv0 = Conv(channels, little, 3, 1, ActivationKind.Relu);
        LittleConv1 = Conv(little, little, 3, 2, ActivationKind.Relu);
        LittleConv2 = Conv(little, channels, 1, 1, ActivationKind.Identity);
        Init = Conv(channels, channels, 1, 1, ActivationKind.Relu);
        register_module("tam", Tam);
        register_module("big", BigConv);
        register_module("little0", LittleConv0);
        register_module("little1", LittleConv1);
        register_module("little2", LittleConv2);
        register_module("init", Init);
    }

    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        BigLittleFrames.CheckEven(x, Path);
        x = Tam.Forward(x, null);
        var big = BigConv.Forward(BigLittleFrames.Big(x), null);
        var little = LittleConv2.Forward(LittleConv1.Forward(LittleConv0.Forward(BigLittleFrames.Little(x), null), null), null);
        return BigLittleFrames.ToBothSlots(Init.Forward(F.relu(big.add(little)), null));
    }

    public override string NotStreamableReason => $"{(Path.Length == 0 ? "the big-little stem" : Path)} pairs frames; bLVNet-TAM runs on clips only.";

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var x = Tam.Trace(input, trace);
        var half = x with { Frames = x.Frames / 2 };
        var big = BigConv.Trace(half, trace);
        LittleConv2.Trace(LittleConv1.Trace(LittleConv0.Trace(half, trace), trace), trace);
        return Init.Trace(big, trace) with { Frames = input.Frames };
    }
}
