using MoViSharp.Layers;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// A causal temporal depthwise (k_t×1×1) <see cref="ConvUnit"/> for one frame at a time, BatchNorm folded. The k_t−1 previous
/// input frames live in a preallocated ring [k_t−1, B, C, H, W] (slot-major, so each slot is one contiguous frame batch).
/// A step is k_t multiply-adds (addcmul) over the ring slots and the current frame plus one copy of the frame into the
/// oldest slot: nothing is concatenated or shifted, and the (k,1) conv, slow for this shape, is avoided.
/// </summary>
public sealed class RingTemporalConv : IDisposable
{
    private readonly Tensor[] taps;   // k_t tensors [1, C, 1, 1], oldest frame first, the current frame last
    private readonly Tensor bias;     // [1, C, 1, 1]
    private Tensor ring;              // [k_t − 1, B, C, H, W]
    private int head;                 // the slot holding the oldest frame (and receiving the next one)

    public int Channels { get; }
    public int KernelTime { get; }
    public ActivationKind Activation { get; }
    /// <summary>The official state name of this buffer.</summary>
    public string StateName { get; }

    public RingTemporalConv(ConvUnit unit, long batch, long height, long width)
    {
        if (unit.Kernel.Time < 2 || unit.Kernel.Height != 1 || unit.Kernel.Width != 1 || unit.Groups != unit.InChannels || unit.InChannels != unit.OutChannels)
            throw new ArgumentException("RingTemporalConv takes a depthwise temporal (k_t×1×1, k_t ≥ 2) unit.", nameof(unit));
        if (unit.BufferName is null) throw new ArgumentException("The temporal unit must be causal (have a stream buffer).", nameof(unit));
        Channels = unit.OutChannels; KernelTime = unit.Kernel.Time; Activation = unit.Activation; StateName = unit.BufferName;
        var (w, b) = BatchNormFolding.Fold(unit);                      // w [C, 1, k_t, 1, 1]
        using (no_grad())
        {
            taps = Enumerable.Range(0, KernelTime).Select(t => w.select(2, t).reshape(1, Channels, 1, 1).contiguous().DetachFromDisposeScope()).ToArray();
            bias = b.view(1, Channels, 1, 1).contiguous().DetachFromDisposeScope();
        }
        w.Dispose(); b.Dispose();
        ring = zeros([KernelTime - 1, batch, Channels, height, width]).DetachFromDisposeScope();
    }

    /// <summary>One frame [B, C, H, W] → the activated output [B, C, H, W]; remembers the frame.</summary>
    public Tensor Forward(Tensor x)
    {
        int slots = KernelTime - 1;
        var y = torch.addcmul(bias, x, taps[slots], 1);
        for (int j = 0; j < slots; j++)
        {
            using var slot = ring[(head + j) % slots];
            y.addcmul_(slot, taps[j], 1);
        }
        using (var oldest = ring[head]) oldest.copy_(x);
        head = (head + 1) % slots;
        InPlaceActivation.Apply(y, Activation);
        return y;
    }

    /// <summary>The buffer in the official layout [B, k_t−1, H, W, C], oldest frame first (a new tensor).</summary>
    public Tensor Export()
    {
        using var scope = NewDisposeScope();
        int slots = KernelTime - 1;
        using var order = tensor(Enumerable.Range(0, slots).Select(j => (long)((head + j) % slots)).ToArray());
        var official = ring.index_select(0, order).permute(1, 0, 3, 4, 2).contiguous();
        return scope.MoveToOuter(official);
    }

    /// <summary>Replaces the buffer (any number of streams) from the official layout [B, k_t−1, H, W, C].</summary>
    public void Import(Tensor official)
    {
        if (official.dim() != 5 || official.shape[1] != KernelTime - 1 || official.shape[4] != Channels)
            throw new ArgumentException($"State '{StateName}' has shape [{string.Join(", ", official.shape)}], expected [B, {KernelTime - 1}, H, W, {Channels}].");
        Tensor next;
        using (var scope = NewDisposeScope())
        using (no_grad())
            next = scope.MoveToOuter(official.permute(1, 0, 4, 2, 3).to_type(ScalarType.Float32).contiguous().clone());
        next.DetachFromDisposeScope();
        ring.Dispose();
        ring = next;
        head = 0;
    }

    /// <summary>The ring storage [k_t − 1, B, C, H, W] (for fused kernels that update it themselves).</summary>
    internal Tensor Ring => ring;
    /// <summary>The slot holding the oldest frame.</summary>
    internal int Head => head;
    /// <summary>Back to zero frames seen (all slots zero).</summary>
    internal void Clear() { ring.zero_(); head = 0; }

    /// <summary>Marks the oldest slot as overwritten with the newest frame.</summary>
    internal void Advance() => head = (head + 1) % (KernelTime - 1);
    /// <summary>The folded taps as [k_t, C] values (oldest frame first) and the folded bias [C].</summary>
    internal (float[] Taps, float[] Bias) Values() =>
        (taps.SelectMany(t => t.data<float>().ToArray()).ToArray(), bias.data<float>().ToArray());

    public void Dispose()
    {
        foreach (var t in taps) t.Dispose();
        bias.Dispose();
        ring.Dispose();
    }
}
