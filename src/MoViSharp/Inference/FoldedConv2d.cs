using MoViSharp.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>
/// A spatial (1×k×k) or pointwise <see cref="ConvUnit"/> as one 2-D convolution on frames [B, C, H, W] with BatchNorm folded
/// into weight and bias, TF "same" padding, and the activation applied in place: two ops instead of conv, BN and activation.
/// </summary>
public sealed class FoldedConv2d : IDisposable
{
    private readonly Tensor weight;   // [C_out, C_in/groups, k, k]
    private readonly Tensor bias;     // [C_out]

    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Groups { get; }
    public ActivationKind Activation { get; }

    /// <param name="scale">An extra factor folded into weight and bias (a ReZero scale; only valid with no activation).</param>
    public FoldedConv2d(ConvUnit unit, double scale = 1.0)
    {
        if (unit.Kernel.Time != 1) throw new ArgumentException("FoldedConv2d takes spatial or pointwise units (k_t = 1).", nameof(unit));
        if (unit.Kernel.Height != unit.Kernel.Width) throw new NotSupportedException("Only square spatial kernels are supported.");
        if (scale != 1.0 && unit.Activation != ActivationKind.Identity) throw new ArgumentException("A scale folds only through a linear unit.");
        var (w, b) = BatchNormFolding.Fold(unit, scale);
        weight = w.squeeze(2).contiguous().DetachFromDisposeScope();
        w.Dispose();
        bias = b.DetachFromDisposeScope();
        OutChannels = unit.OutChannels; Kernel = unit.Kernel.Height; Stride = unit.SpatialStride; Groups = unit.Groups;
        Activation = unit.Activation;
    }

    /// <summary>[B, C_in, H, W] → [B, C_out, ceil(H/s), ceil(W/s)].</summary>
    public Tensor Forward(Tensor x)
    {
        var (input, padH, padW) = TfSamePadding2d.Prepare(x, Kernel, Stride);
        var y = F.conv2d(input, weight, bias, strides: [Stride, Stride], padding: [padH, padW], groups: Groups);
        InPlaceActivation.Apply(y, Activation);
        return y;
    }

    public void Dispose() { weight.Dispose(); bias.Dispose(); }
}
