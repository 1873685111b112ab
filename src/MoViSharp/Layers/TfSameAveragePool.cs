using System.Collections.Concurrent;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// Spatial average pooling with TF "same" padding whose divisor counts only real (unpadded) cells, as TF's AvgPool does, frame
/// by frame. PyTorch cannot express the asymmetric padding, so the sum is taken over an explicitly zero-padded input and
/// divided by the number of real cells in each window.
/// </summary>
public sealed class TfSameAveragePool : StreamModule
{
    private static readonly ConcurrentDictionary<(long H, long W, int Kernel, int Stride), float[]> Divisors = new();

    public int Kernel { get; }
    public int Stride { get; }

    public TfSameAveragePool(int kernel, int stride) : base(nameof(TfSameAveragePool))
    {
        Kernel = kernel;
        Stride = stride;
    }

    public override Tensor Forward(Tensor x, StreamState? state) => Apply(x, Kernel, Stride);

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input with
    {
        Height = SamePadding.OutputSize(input.Height, Stride),
        Width = SamePadding.OutputSize(input.Width, Stride),
    };

    /// <summary>[B, C, T, H, W] → [B, C, T, ceil(H/s), ceil(W/s)].</summary>
    public static Tensor Apply(Tensor x, int kernel, int stride)
    {
        long height = x.shape[3], width = x.shape[4];
        var (top, bottom) = SamePadding.For(height, kernel, stride);
        var (left, right) = SamePadding.For(width, kernel, stride);
        var padded = top + bottom + left + right == 0 ? x : F.pad(x, [left, right, top, bottom]);
        var sums = F.avg_pool3d(padded, [1, kernel, kernel], [1, stride, stride], divisor_override: 1);
        var divisor = Divisors.GetOrAdd((height, width, kernel, stride), key => CountRealCells(key.H, key.W, key.Kernel, key.Stride));
        using var counts = tensor(divisor, [sums.shape[3], sums.shape[4]]);
        return sums.div(counts);
    }

    private static float[] CountRealCells(long height, long width, int kernel, int stride)
    {
        long[] Counts(long size)
        {
            var (before, _) = SamePadding.For(size, kernel, stride);
            long outSize = SamePadding.OutputSize(size, stride);
            return Enumerable.Range(0, (int)outSize).Select(i =>
            {
                long start = i * stride - before;
                return Math.Min(start + kernel, size) - Math.Max(start, 0);
            }).ToArray();
        }
        var rows = Counts(height);
        var cols = Counts(width);
        return rows.SelectMany(r => cols.Select(c => (float)(r * c))).ToArray();
    }
}
