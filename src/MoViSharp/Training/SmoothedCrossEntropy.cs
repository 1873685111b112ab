using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Training;

/// <summary>
/// Cross-entropy against label-smoothed targets: (1 − ε)·one-hot + ε/K on every class, i.e.
/// (1 − ε)·NLL(target) + ε·mean over classes of −log p. Mean over the batch.
/// </summary>
public static class SmoothedCrossEntropy
{
    public static Tensor Loss(Tensor logits, Tensor targets, double smoothing)
    {
        if (smoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(smoothing), $"Label smoothing must be in [0, 1), got {smoothing}.");
        var logp = F.log_softmax(logits, 1);
        var nll = logp.gather(1, targets.unsqueeze(1)).squeeze(1).neg();
        if (smoothing == 0) return nll.mean();
        var uniform = logp.mean([1]).neg();
        // Explicit scalars held to the end of the call (an implicit one can be finalised while libtorch reads it: see Scalars).
        using var target = (1 - smoothing).ToScalar();
        using var spread = smoothing.ToScalar();
        return nll.mul(target).add(uniform.mul(spread), Scalars.One).mean();
    }
}
