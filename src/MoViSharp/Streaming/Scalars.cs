using TorchSharp;

namespace MoViSharp.Streaming;

/// <summary>
/// Scalars that live for the process, for the per-frame paths. A TorchSharp <see cref="Scalar"/> has a finalizer and is in no
/// dispose scope, so an implicit one — <c>x.add_(1)</c>, <c>x.clamp_(0.0, 1.0)</c>, and the alpha TorchSharp itself supplies
/// to <c>add(tensor)</c> — is unreachable while libtorch reads it: on a loaded machine the calling thread can be preempted,
/// another thread's allocation start a collection, and the finalizer thread free it mid-call (seen as
/// "toLong … Expected false to be true" and "argument alpha must not be a floating point number").
/// </summary>
internal static class Scalars
{
    /// <summary>Integral one: an increment of a counter and the alpha of additions (valid for integral and float tensors).</summary>
    public static readonly Scalar One = 1L.ToScalar();
    public static readonly Scalar ZeroReal = 0.0.ToScalar();
    public static readonly Scalar OneReal = 1.0.ToScalar();
}
