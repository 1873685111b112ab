using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// Squeeze-excitation: pool → (positional encoding) → reduce 1×1×1 (bias) → activation → expand 1×1×1 (bias) → gate → x·gate.
/// For <see cref="SqueezeExcitationType.TwoPlusThreeD"/> the pooled input is [x_3d, x_space] concatenated on channels in
/// that order (it matters for imported weights). The 3-D context is a <see cref="CumulativeAveragePool"/> in causal models (frame
/// t sees only frames ≤ t) and a <see cref="GlobalAveragePool"/> otherwise (which does not stream).
/// </summary>
public sealed class SqueezeExcitation : StreamModule
{
    private StreamModule? pool;
    private readonly ConvUnit reduce;
    private readonly ConvUnit expand;
    private readonly PositionalEncoding? pos_enc;

    public SqueezeExcitationType Type { get; private set; }
    public bool Causal { get; }
    public GateKind Gate { get; }
    public int HiddenChannels { get; }

    public ConvUnit Reduce => reduce;
    public ConvUnit Expand => expand;
    public PositionalEncoding? PositionalEncoding => pos_enc;
    /// <summary>The causal context pool (its state is the running sum), or null.</summary>
    public CumulativeAveragePool? CumulativePool => pool as CumulativeAveragePool;

    /// <summary>The SE hidden width of TF MoViNets: make_divisible(0.25·E·m, 8), m = 2 for 2plus3d.</summary>
    public static int HiddenWidth(int channels, SqueezeExcitationType type) =>
        MakeDivisible(0.25 * channels * (type == SqueezeExcitationType.TwoPlusThreeD ? 2 : 1), 8);

    /// <summary>TF's make_divisible: round to a multiple of <paramref name="divisor"/>, at least divisor, never 10 % below.</summary>
    public static int MakeDivisible(double value, int divisor)
    {
        int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    public SqueezeExcitation(int channels, SqueezeExcitationType type, ActivationKind activation, GateKind gate, bool causal,
        bool positionalEncoding, int? hiddenChannels = null) : base(nameof(SqueezeExcitation))
    {
        if (type == SqueezeExcitationType.None) throw new ArgumentException("Build no SE layer for SE type 'none'.", nameof(type));
        Type = type; Causal = causal; Gate = gate;
        HiddenChannels = hiddenChannels ?? HiddenWidth(channels, type);
        int pooledChannels = type == SqueezeExcitationType.TwoPlusThreeD ? 2 * channels : channels;
        if (type != SqueezeExcitationType.TwoD) pool = causal ? new CumulativeAveragePool() : new GlobalAveragePool();
        reduce = new ConvUnit(pooledChannels, HiddenChannels, (1, 1, 1), useBias: true, batchNorm: false, activation: activation);
        expand = new ConvUnit(HiddenChannels, channels, (1, 1, 1), useBias: true, batchNorm: false);
        if (positionalEncoding && causal) pos_enc = new PositionalEncoding(pooledChannels);
        RegisterComponents();
    }

    /// <summary>
    /// Switches a squeeze-excitation over the whole clip to the per-frame scope (spatial mean of each frame), keeping its weights:
    /// the continual conversion's choice (CoX3D), since a clip-wide context would add delay and memory.
    /// </summary>
    public void UseFrameScope()
    {
        if (Type != SqueezeExcitationType.ThreeD || Causal) throw new InvalidOperationException("Only a non-causal 3-D SE has a clip scope to give up.");
        _internal_submodules.Remove("pool");
        pool = null;
        Type = SqueezeExcitationType.TwoD;
    }

    public override Tensor Forward(Tensor x, StreamState? state) => Forward(x, state, hiddenMask: null);

    /// <summary>
    /// The SE with its hidden units multiplied by <paramref name="hiddenMask"/> ([1, hidden, 1, 1, 1] of 0/1, or null): a
    /// supernet runs a narrower layer as a channel slice of this one, and the reduction's bias would otherwise leak through
    /// the hidden units the narrower layer does not have.
    /// </summary>
    public Tensor Forward(Tensor x, StreamState? state, Tensor? hiddenMask)
    {
        var pooled = Type switch
        {
            SqueezeExcitationType.TwoD => x.mean([3, 4], keepdim: true),
            SqueezeExcitationType.ThreeD => pool!.Forward(x, state),
            SqueezeExcitationType.TwoPlusThreeD => Concatenated(x, pool!.Forward(x, state)),
            _ => throw new InvalidOperationException(),
        };
        if (pos_enc is not null) pooled = pos_enc.Forward(pooled, state);
        var hidden = reduce.Forward(pooled, state);
        if (hiddenMask is not null) hidden = hidden.mul(hiddenMask);
        var gate = Activations.Gate(expand.Forward(hidden, state), Gate);
        return x.mul(gate);

        static Tensor Concatenated(Tensor x, Tensor context)
        {
            var space = x.mean([3, 4], keepdim: true);                                     // [B, C, T, 1, 1]
            return cat([context.expand(-1, -1, space.shape[2], -1, -1), space], 1);
        }
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var context = pool?.Trace(input, trace) ?? input with { Height = 1, Width = 1 };
        var pooled = Type == SqueezeExcitationType.TwoPlusThreeD
            ? input with { Channels = 2 * input.Channels, Height = 1, Width = 1 }
            : context;
        if (pos_enc is not null) pos_enc.Trace(pooled, trace);
        expand.Trace(reduce.Trace(pooled, trace), trace);
        return input;
    }
}
