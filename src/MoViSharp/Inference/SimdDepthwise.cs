using System.Runtime.Intrinsics;
using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// A depthwise feature as one hand-written AVX kernel (System.Runtime.Intrinsics over tensor memory): spatial k×k depthwise
/// (TF same padding, stride 1 or 2) + folded bias + activation, and, when the layer has one, the causal temporal depthwise over
/// the ring buffer + folded bias + activation, with the spatial output stored straight into the ring's oldest slot. libtorch
/// runs these small depthwise convolutions at a few % of peak and needs 5–6 more ops for the temporal part; here each output
/// row is accumulated in registers and each element is written once. Its state is the <see cref="RingTemporalConv"/>'s.
/// </summary>
public sealed unsafe class SimdDepthwise : CompiledModule
{
    private readonly Vector256<float>[] weightVectors;   // [C, k, k] folded, each broadcast to 8 lanes
    private readonly Vector256<float>[] biasVectors;     // [C]
    private readonly Vector256<float>[] tapVectors = []; // [C, k_t] folded, oldest frame first, broadcast
    private readonly Vector256<float>[] temporalBiasVectors = [];
    private readonly RingTemporalConv? ring;
    private CompiledState? current;

    [ThreadStatic] private static float[]? scratch;

    public int Channels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public ActivationKind Activation { get; }
    public RingTemporalConv? Temporal => ring;

    /// <summary>True for square spatial depthwise units with TF same padding and stride 1 or 2.</summary>
    public static bool Handles(ConvUnit spatial) =>
        spatial.Kernel.Time == 1 && spatial.Groups == spatial.InChannels && spatial.InChannels == spatial.OutChannels &&
        spatial.Kernel.Height == spatial.Kernel.Width && spatial.SpatialStride is 1 or 2 && spatial.ExplicitPadding is null &&
        spatial.TemporalStride == 1;

    /// <param name="temporal">the compiled temporal part whose ring this kernel updates, or null</param>
    public SimdDepthwise(ConvUnit spatial, RingTemporalConv? temporal, VideoShape input)
        : base(input, temporal?.Output ?? CompileContext.OutputShape(spatial, input))
    {
        if (!Handles(spatial)) throw new ArgumentException("SimdDepthwise takes a square spatial depthwise unit, stride 1 or 2, TF same padding.", nameof(spatial));
        Channels = spatial.OutChannels; Kernel = spatial.Kernel.Height; Stride = spatial.SpatialStride; Activation = spatial.Activation;
        var (w, b) = BatchNormFolding.Fold(spatial);
        var weights = w.contiguous().data<float>().ToArray();
        var bias = b.data<float>().ToArray();
        weightVectors = weights.Select(Vector256.Create).ToArray();
        biasVectors = bias.Select(Vector256.Create).ToArray();
        w.Dispose(); b.Dispose();
        ring = temporal;
        if (temporal is not null)
        {
            var (taps, temporalBias) = temporal.Values();                 // [k_t, C], [C]
            int kt = temporal.KernelTime;
            tapVectors = Enumerable.Range(0, Channels * kt).Select(i => Vector256.Create(taps[i % kt * Channels + i / kt])).ToArray();
            temporalBiasVectors = temporalBias.Select(Vector256.Create).ToArray();
        }
    }

    public override IEnumerable<CompiledModule> Children => ring is null ? [] : [ring];

    public override string Describe => $"SimdDepthwise {Kernel}×{Kernel}/{Stride}{(ring is null ? "" : $" + temporal k_t={ring.KernelTime}")}";

    public override Tensor Step(Tensor x, CompiledState state)
    {
        current = state;
        try { return Forward(x); }
        finally { current = null; }
    }

    /// <summary>[B, C, H, W] → [B, C, ceil(H/s), ceil(W/s)] (after the temporal part when there is one).</summary>
    private Tensor Forward(Tensor x)
    {
        x = x.contiguous();
        int batch = (int)x.shape[0], height = (int)x.shape[2], width = (int)x.shape[3];
        int outH = (int)SamePadding.OutputSize(height, Stride), outW = (int)SamePadding.OutputSize(width, Stride);
        var y = empty([batch, Channels, outH, outW]);
        var g = new Geometry(height, width, Kernel, Stride, outH, outW);
        float* input = TensorMemory.Pointer(x), output = TensorMemory.Pointer(y);
        int slots = ring is null ? 0 : ring.KernelTime - 1;
        var slotPointers = new nint[slots];
        if (ring is not null)
        {
            float* ringBase = TensorMemory.Pointer(ring.Ring(current!));
            long slotSize = (long)batch * Channels * outH * outW;
            int head = ring.Head(current!);
            for (int j = 0; j < slots; j++) slotPointers[j] = (nint)(ringBase + (head + j) % slots * slotSize);
        }
        // One thread on purpose: with a Parallel.For here, .NET workers competed with libtorch's spin-waiting OpenMP threads on
        // the two cores (at 2 threads the engine ran up to 4× slower than the plain model). libtorch ops still use all threads.
        RunPlanes(0, batch * Channels, g, input, output, slotPointers);
        if (ring is not null) ring.Advance(current!);
        return y;
    }

    private readonly record struct Geometry(int Height, int Width, int Kernel, int Stride, int OutH, int OutW)
    {
        public int PadTop => SamePadding.For(Height, Kernel, Stride).Before;
        public int PadLeft => SamePadding.For(Width, Kernel, Stride).Before;
        /// <summary>Stride-1 outputs computed per row (every s-th is kept), rounded up to whole vectors.</summary>
        public int RowVectors => (Stride * (OutW - 1) + 1 + 7) / 8;
        public int PaddedWidth => RowVectors * 8 + Kernel - 1;
        public int PaddedHeight => Stride * (OutH - 1) + Kernel;
    }

    private void RunPlanes(int start, int end, Geometry g, float* input, float* output, nint[] slotPointers)
    {
        int paddedWidth = g.PaddedWidth, paddedHeight = g.PaddedHeight, k = g.Kernel, rowVectors = g.RowVectors;
        int needed = paddedWidth * paddedHeight + rowVectors * 8 + 8;
        if (scratch is null || scratch.Length < needed) scratch = new float[needed];
        int planeIn = g.Height * g.Width, planeOut = g.OutH * g.OutW, padTop = g.PadTop, padLeft = g.PadLeft;
        int firstRow = Math.Max(0, padTop), lastRow = Math.Min(paddedHeight, padTop + g.Height);   // padded rows holding input
        int copy = Math.Min(g.Width, paddedWidth - padLeft);
        int slots = slotPointers.Length;
        int kk = k * k;
        fixed (float* scratchBase = scratch)
        fixed (Vector256<float>* allWeights = weightVectors)
        fixed (Vector256<float>* allTaps = tapVectors)
        {
            float* padded = scratchBase, row = scratchBase + paddedWidth * paddedHeight;
            // The zero border is the same for every plane: clear once, then only the interior is overwritten per plane.
            new Span<float>(padded, paddedWidth * paddedHeight).Clear();
            for (int plane = start; plane < end; plane++)
            {
                int c = plane % Channels;
                float* src = input + (long)plane * planeIn;
                for (int r = firstRow; r < lastRow; r++)
                    Buffer.MemoryCopy(src + (r - padTop) * g.Width, padded + r * paddedWidth + padLeft, copy * 4L, copy * 4L);
                Vector256<float>* w = allWeights + c * kk;
                var b = biasVectors[c];
                var temporal = new TemporalRow(slots, allTaps + c * (slots + 1), slots > 0 ? temporalBiasVectors[c] : default, slotPointers);
                long planeOffset = (long)plane * planeOut;
                for (int oy = 0; oy < g.OutH; oy++)
                {
                    float* top = padded + g.Stride * oy * paddedWidth;
                    long rowOffset = planeOffset + oy * g.OutW;
                    int done = 0;
                    for (int v = 0; v < rowVectors; v++)
                    {
                        var acc = b;
                        for (int dy = 0; dy < k; dy++)
                        {
                            float* line = top + dy * paddedWidth + v * 8;
                            Vector256<float>* wr = w + dy * k;
                            for (int dx = 0; dx < k; dx++)
                                acc = Vector256.FusedMultiplyAdd(wr[dx], Vector256.Load(line + dx), acc);
                        }
                        // Stride 1, a whole vector of outputs: finish it straight from the register.
                        if (g.Stride == 1 && v * 8 + 8 <= g.OutW) { Emit(acc, output, rowOffset + v * 8, temporal); done = v * 8 + 8; }
                        else Vector256.Store(acc, row + v * 8);
                    }
                    if (g.Stride == 2)
                    {
                        for (int ox = 0; ox < g.OutW; ox++) row[ox] = row[2 * ox];
                        for (; done + 8 <= g.OutW; done += 8) Emit(Vector256.Load(row + done), output, rowOffset + done, temporal);
                        for (int ox = done; ox < g.OutW; ox++) EmitScalar(row[ox], output, rowOffset + ox, temporal);
                    }
                    else for (int ox = done; ox < g.OutW; ox++) EmitScalar(row[ox], output, rowOffset + ox, temporal);
                }
            }
        }
    }

    /// <summary>The temporal taps of one channel: broadcast taps (oldest first, current last), bias and the ring slots.</summary>
    private readonly struct TemporalRow(int slots, Vector256<float>* taps, Vector256<float> bias, nint[] slotPointers)
    {
        public readonly int Slots = slots;
        public readonly Vector256<float>* Taps = taps;
        public readonly Vector256<float> Bias = bias;
        public readonly nint[] SlotPointers = slotPointers;
    }

    /// <summary>8 spatial pre-activations at <paramref name="offset"/>: activation, then (with a temporal part) the taps over the
    /// ring slots, the spatial output replacing the oldest slot.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Emit(Vector256<float> pre, float* output, long offset, in TemporalRow t)
    {
        var s = VectorActivation.Apply(pre, Activation);
        if (t.Slots == 0) { Vector256.Store(s, output + offset); return; }
        var acc = Vector256.FusedMultiplyAdd(s, t.Taps[t.Slots], t.Bias);
        for (int j = 0; j < t.Slots; j++)
            acc = Vector256.FusedMultiplyAdd(Vector256.Load((float*)t.SlotPointers[j] + offset), t.Taps[j], acc);
        Vector256.Store(s, (float*)t.SlotPointers[0] + offset);
        Vector256.Store(VectorActivation.Apply(acc, ring!.Activation), output + offset);
    }

    private void EmitScalar(float pre, float* output, long offset, in TemporalRow t)
    {
        float s = VectorActivation.Apply(pre, Activation);
        if (t.Slots == 0) { output[offset] = s; return; }
        float acc = MathF.FusedMultiplyAdd(s, t.Taps[t.Slots].GetElement(0), t.Bias.GetElement(0));
        for (int j = 0; j < t.Slots; j++) acc = MathF.FusedMultiplyAdd(((float*)t.SlotPointers[j])[offset], t.Taps[j].GetElement(0), acc);
        ((float*)t.SlotPointers[0])[offset] = s;
        output[offset] = VectorActivation.Apply(acc, ring!.Activation);
    }
}
