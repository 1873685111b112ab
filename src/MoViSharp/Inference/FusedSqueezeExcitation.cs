using TorchSharp;
using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>
/// Causal squeeze-excitation for one frame. The cumulative average is a running sum [B, C] divided by the frame count; the
/// 1×1×1 convolutions are linear layers on [B, C]; the hard-sigmoid gate's affine part is folded into the expand weights,
/// leaving one clamp; the gate multiplies the input in place. State: the running sum and the frame count (one per stream),
/// which is also the positional encoding's position.
/// </summary>
public sealed class FusedSqueezeExcitation : CompiledModule
{
    private readonly Tensor reduceWeight, reduceBias, expandWeight, expandBias;
    private readonly Scalar? positionalScale;   // held: see Scalars
    private readonly int sumSlot = -1, countSlot;
    private readonly string? sumKey, countKey, positionKey;

    public SqueezeExcitationType Type { get; }
    public ActivationKind Activation { get; }
    public GateKind Gate { get; }
    public int Channels { get; }
    public bool HasPositionalEncoding { get; }

    /// <summary>True for causal SE layers (their context is cumulative, so they stream).</summary>
    public static bool Handles(SqueezeExcitation se) => se.Causal || se.Type == SqueezeExcitationType.TwoD;

    public FusedSqueezeExcitation(SqueezeExcitation se, VideoShape input, CompileContext context) : base(input, input)
    {
        if (!Handles(se)) throw new NotSupportedException("A non-causal SE pools over the whole clip and cannot be compiled for frames.");
        Type = se.Type; Gate = se.Gate; Channels = (int)input.Channels;
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
            positionalScale = ((double)pe.Scale.detach().item<float>()).ToScalar();
            positionKey = pe.CountKey;
        }
        if (se.CumulativePool is { } pool)
        {
            sumSlot = context.ReserveSlot();
            (sumKey, countKey) = (pool.SumKey, pool.CountKey);
        }
        countSlot = context.ReserveSlot();
    }

    private bool Cumulative => sumSlot >= 0;
    internal int PooledChannels => Type == SqueezeExcitationType.TwoPlusThreeD ? 2 * Channels : Channels;

    public override void InitState(CompiledState state)
    {
        if (Cumulative) state.Set(sumSlot, zeros(state.BatchSize, Channels));
        state.Set(countSlot, zeros(state.BatchSize, 1));
    }

    /// <summary>Gates <paramref name="x"/> [B, C, H, W] in place and returns it.</summary>
    public override Tensor Step(Tensor x, CompiledState state)
    {
        var count = state.Tensor(countSlot);
        var before = HasPositionalEncoding ? count.view(-1).clone() : null;
        count.add_(Scalars.One, Scalars.One);
        var space = x.mean([2, 3], false, null);                                          // [B, C]
        Tensor pooled;
        if (!Cumulative) pooled = space;
        else
        {
            var sum = state.Tensor(sumSlot);
            sum.add_(space, Scalars.One);
            var cumulative = sum.div(count);
            pooled = Type == SqueezeExcitationType.TwoPlusThreeD ? cat([cumulative, space], 1) : cumulative;
        }
        if (HasPositionalEncoding)
            pooled = pooled.add(PositionalEncoding.Encode(before!, 1, PooledChannels).squeeze(-1).mul(positionalScale!), Scalars.One);
        var hidden = F.linear(pooled, reduceWeight, reduceBias);
        InPlaceActivation.Apply(hidden, Activation);
        var gate = F.linear(hidden, expandWeight, expandBias);
        if (Gate == GateKind.Sigmoid) gate.sigmoid_();
        else gate.clamp_(Scalars.ZeroReal, Scalars.OneReal);
        return x.mul_(gate.view(gate.shape[0], Channels, 1, 1));
    }

    public override void ExportState(CompiledState state, StreamState into)
    {
        using var counts = state.Tensor(countSlot).view(-1).to_type(ScalarType.Int32);
        if (Cumulative)
        {
            into.Set(sumKey!, state.Tensor(sumSlot).clone());
            into.Set(countKey!, counts.clone());
        }
        if (positionKey is not null) into.Set(positionKey, counts.clone());
    }

    public override void ImportState(StreamState from, CompiledState state)
    {
        using var scope = NewDisposeScope();
        Tensor? count = null;
        if (Cumulative)
        {
            state.Set(sumSlot, scope.MoveToOuter(from[sumKey!].reshape(-1, Channels).to_type(ScalarType.Float32).clone()));
            count = from[countKey!];
        }
        if (positionKey is not null)
        {
            var positions = from[positionKey];
            if (count is not null && !positions.eq(count).all().item<bool>())
                throw new NotSupportedException($"'{positionKey}' differs from '{countKey}'; the compiled SE keeps one frame count per stream.");
            count ??= positions;
        }
        var counts = count is null ? zeros(from.BatchSize, 1) : count.to_type(ScalarType.Float32).view(-1, 1).clone();
        state.Set(countSlot, scope.MoveToOuter(counts));
    }

    public override string Describe => $"FusedSqueezeExcitation {Type}{(HasPositionalEncoding ? " + PE" : "")}";

    public override void Dispose()
    {
        foreach (var t in new[] { reduceWeight, reduceBias, expandWeight, expandBias }) t.Dispose();
        base.Dispose();
    }
}
