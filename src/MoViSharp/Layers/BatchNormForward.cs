using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// BatchNorm's forward with the arithmetic of PyTorch's module, called instead of TorchSharp's <c>BatchNorm.forward</c>. That
/// one counts batches with <c>num_batches_tracked.add_(1)</c>, whose implicit <see cref="Scalar"/>s (the value and, inside
/// TorchSharp, the alpha) nothing keeps reachable during the native call (TorchSharp does not put scalars in dispose scopes):
/// when another thread's allocations start a collection, the finalizer thread can free them while libtorch reads them. Seen
/// in training as "toLong … Expected false to be true" or "For integral input tensors, argument alpha must not be a floating
/// point number", in 5 of 8 runs of 20 epochs while the clip loader's thread allocated.
/// </summary>
internal static class BatchNormForward
{
    public static Tensor Apply(BatchNorm bn, Tensor input)
    {
        double factor = bn.momentum ?? 0.0;
        if (bn.training && bn.track_running_stats && bn.num_batches_tracked is { } tracked)
        {
            using var one = 1L.ToScalar();
            tracked.add_(one, alpha: one);   // add_(x) alone makes its alpha an implicit scalar too
            if (bn.momentum is null or 0.0) factor = 1.0 / tracked.item<long>();   // cumulative average
        }
        bool batchStatistics = bn.training || (bn.running_mean is null && bn.running_var is null);
        bool passStatistics = !bn.training || bn.track_running_stats;
        return F.batch_norm(input, passStatistics ? bn.running_mean : null, passStatistics ? bn.running_var : null,
            bn.weight, bn.bias, batchStatistics, factor, bn.eps);
    }
}
