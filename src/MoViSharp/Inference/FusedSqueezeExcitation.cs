using MoViSharp.Layers;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>
/// Causal squeeze-excitation for one frame. The cumulative average is a running sum [B, C] divided by the frame count; the
/// 1×1×1 convolutions are linear layers on [B, C]; the hard-sigmoid gate's affine part is folded into the expand weights,
/// leaving one clamp; the gate multiplies the input in place.
/// </summary>
public sealed class FusedSqueezeExcitation : IDisposable
{
    private readonly Tensor reduceWeight, reduceBias, expandWeight, expandBias;
    private readonly double positionalScale;
    private Tensor? runningSum;       // [B, C]; null when this SE keeps no cumulative context

    public SqueezeExcitationType Type { get; }
    public ActivationKind Activation { get; }
    public GateKind Gate { get; }
    public int Channels { get; }
    public bool HasPositionalEncoding { get; }
    public string StatePrefix { get; }
    public string? PoolBufferName => runningSum is null ? null : StateNames.PoolBuffer(StatePrefix);

    public FusedSqueezeExcitation(SqueezeExcitation se, int channels, long batch)
    {
        if (!se.Causal) throw new NotSupportedException("The streaming engine needs a causal model.");
        Type = se.Type; Gate = se.Gate; Channels = channels; StatePrefix = se.StatePrefix;
        Activation = se.Reduce.Activation;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var (rw, rb) = BatchNormFolding.Fold(se.Reduce);
            var (ew, eb) = BatchNormFolding.Fold(se.Expand);
            // Gate(z) = clamp(a·z + c, 0, 1) for the hard sigmoids: fold a and c into the expand layer.
            (double a, double c) = se.Gate switch
            {
                GateKind.HardSigmoidKeras => (0.2, 0.5),
                GateKind.HardSigmoidRelu6 => (1.0 / 6.0, 0.5),
                _ => (1.0, 0.0),
            };
            reduceWeight = scope.MoveToOuter(rw.flatten(1).contiguous());
            reduceBias = scope.MoveToOuter(rb.clone());
            expandWeight = scope.MoveToOuter(ew.flatten(1).to_type(ScalarType.Float64).mul(a).to_type(ScalarType.Float32).contiguous());
            expandBias = scope.MoveToOuter(eb.to_type(ScalarType.Float64).mul(a).add(c).to_type(ScalarType.Float32));
        }
        foreach (var t in new[] { reduceWeight, reduceBias, expandWeight, expandBias }) t.DetachFromDisposeScope();
        if (se.PositionalEncoding is { } pe)
        {
            HasPositionalEncoding = true;
            positionalScale = pe.Scale.detach().item<float>();
        }
        if (Type is SqueezeExcitationType.ThreeD or SqueezeExcitationType.TwoPlusThreeD)
            runningSum = zeros(batch, channels).DetachFromDisposeScope();
    }

    internal int PooledChannels => Type == SqueezeExcitationType.TwoPlusThreeD ? 2 * Channels : Channels;

    /// <summary>Gates <paramref name="x"/> [B, C, H, W] in place and returns it.</summary>
    internal Tensor Forward(Tensor x, StepContext context)
    {
        var space = x.mean([2, 3], false, null);                                          // [B, C]
        Tensor pooled;
        if (runningSum is null) pooled = space;
        else
        {
            runningSum.add_(space);
            var cumulative = runningSum.div(context.CountsAfter);
            pooled = Type == SqueezeExcitationType.TwoPlusThreeD ? cat([cumulative, space], 1) : cumulative;
        }
        if (HasPositionalEncoding) pooled = pooled.add(context.Encoding(PooledChannels).mul(positionalScale));
        var hidden = F.linear(pooled, reduceWeight, reduceBias);
        InPlaceActivation.Apply(hidden, Activation);
        var gate = F.linear(hidden, expandWeight, expandBias);
        if (Gate == GateKind.Sigmoid) gate.sigmoid_();
        else gate.clamp_(0.0, 1.0);
        return x.mul_(gate.view(gate.shape[0], Channels, 1, 1));
    }

    /// <summary>The running sum in the official layout [B, 1, 1, 1, C], or null.</summary>
    internal Tensor? ExportPool() => runningSum?.reshape(runningSum.shape[0], 1, 1, 1, Channels).clone();

    internal void ImportPool(Tensor official)
    {
        if (runningSum is null) return;
        var next = official.reshape(official.shape[0], Channels).to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        runningSum.Dispose();
        runningSum = next;
    }

    public void Dispose()
    {
        foreach (var t in new[] { reduceWeight, reduceBias, expandWeight, expandBias }) t.Dispose();
        runningSum?.Dispose();
    }
}
