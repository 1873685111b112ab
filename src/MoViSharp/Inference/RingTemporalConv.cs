using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// A causal temporal depthwise (k_t×1×1) <see cref="ConvUnit"/> for one frame at a time, BatchNorm folded. The k_t−1 previous
/// input frames live in a preallocated ring [k_t−1, B, C, H, W] in the state (slot-major, so each slot is one contiguous frame
/// batch). A step is k_t multiply-adds (addcmul) over the ring slots and the current frame plus one copy of the frame into the
/// oldest slot: nothing is concatenated or shifted, and the (k,1) conv, slow for this shape, is avoided.
/// </summary>
public sealed class RingTemporalConv : CompiledModule
{
    private readonly Tensor[] taps;   // k_t tensors [1, C, 1, 1], oldest frame first, the current frame last
    private readonly Tensor bias;     // [1, C, 1, 1]
    private readonly int slot;

    public int Channels { get; }
    public int KernelTime { get; }
    public ActivationKind Activation { get; }
    /// <summary>The plain stream buffer's state key.</summary>
    public string StateKey { get; }

    /// <summary>True for causal depthwise temporal units (k_t×1×1, k_t ≥ 2, stride 1).</summary>
    public static bool Handles(ConvUnit unit) =>
        unit.Kernel.Time >= 2 && unit.Kernel.Height == 1 && unit.Kernel.Width == 1 && unit.TemporalPadding == TemporalPadding.Causal &&
        unit.Groups == unit.InChannels && unit.InChannels == unit.OutChannels && unit.TemporalStride == 1 && unit.SpatialStride == 1 &&
        unit.Buffer!.Fill == TemporalFill.Zeros;

    public RingTemporalConv(ConvUnit unit, VideoShape input, CompileContext context) : base(input, input)
    {
        if (!Handles(unit)) throw new ArgumentException("RingTemporalConv takes a causal depthwise temporal (k_t×1×1, k_t ≥ 2) unit.", nameof(unit));
        Channels = unit.OutChannels; KernelTime = unit.Kernel.Time; Activation = unit.Activation; StateKey = unit.Buffer!.Path;
        var (w, b) = BatchNormFolding.Fold(unit);                      // w [C, 1, k_t, 1, 1]
        using (no_grad())
        {
            taps = Enumerable.Range(0, KernelTime).Select(t => w.select(2, t).reshape(1, Channels, 1, 1).contiguous().DetachFromDisposeScope()).ToArray();
            bias = b.view(1, Channels, 1, 1).contiguous().DetachFromDisposeScope();
        }
        w.Dispose(); b.Dispose();
        slot = context.ReserveSlot();
    }

    private int Slots => KernelTime - 1;

    public override void InitState(CompiledState state)
    {
        state.Set(slot, zeros([Slots, state.BatchSize, Channels, Input.Height, Input.Width]));
        state.Head(slot) = 0;
    }

    /// <summary>The ring [k_t − 1, B, C, H, W] of <paramref name="state"/> (for fused kernels that update it themselves).</summary>
    internal Tensor Ring(CompiledState state) => state.Tensor(slot);
    /// <summary>The ring slot holding the oldest frame.</summary>
    internal int Head(CompiledState state) => state.Head(slot);
    /// <summary>Marks the oldest slot as overwritten with the newest frame.</summary>
    internal void Advance(CompiledState state) => state.Head(slot) = (state.Head(slot) + 1) % Slots;

    /// <summary>One frame [B, C, H, W] → the activated output [B, C, H, W]; remembers the frame.</summary>
    public override Tensor Step(Tensor x, CompiledState state)
    {
        var ring = state.Tensor(slot);
        int head = state.Head(slot);
        var y = torch.addcmul(bias, x, taps[Slots], 1);
        for (int j = 0; j < Slots; j++)
        {
            using var past = ring[(head + j) % Slots];
            y.addcmul_(past, taps[j], Scalars.One);
        }
        using (var oldest = ring[head]) oldest.copy_(x);
        Advance(state);
        InPlaceActivation.Apply(y, Activation);
        return y;
    }

    /// <summary>The ring as the plain stream buffer holds it: [B, C, k_t−1, H, W], oldest frame first.</summary>
    public override void ExportState(CompiledState state, StreamState into)
    {
        using var scope = NewDisposeScope();
        int head = state.Head(slot);
        using var order = tensor(Enumerable.Range(0, Slots).Select(j => (long)((head + j) % Slots)).ToArray());
        into.Set(StateKey, scope.MoveToOuter(state.Tensor(slot).index_select(0, order).permute(1, 2, 0, 3, 4).contiguous()));
    }

    public override void ImportState(StreamState from, CompiledState state)
    {
        var plain = from[StateKey];
        if (plain.dim() != 5 || plain.shape[1] != Channels || plain.shape[2] != Slots)
            throw new ArgumentException($"State '{StateKey}' has shape [{string.Join(", ", plain.shape)}], expected [B, {Channels}, {Slots}, H, W].");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        state.Set(slot, scope.MoveToOuter(plain.permute(2, 0, 1, 3, 4).to_type(ScalarType.Float32).contiguous().clone()));
        state.Head(slot) = 0;
    }

    /// <summary>The folded taps as [k_t, C] values (oldest frame first) and the folded bias [C].</summary>
    internal (float[] Taps, float[] Bias) Values() =>
        (taps.SelectMany(t => t.data<float>().ToArray()).ToArray(), bias.data<float>().ToArray());

    public override string Describe => $"RingTemporalConv k_t={KernelTime}";

    public override void Dispose()
    {
        foreach (var t in taps) t.Dispose();
        bias.Dispose();
        base.Dispose();
    }
}
