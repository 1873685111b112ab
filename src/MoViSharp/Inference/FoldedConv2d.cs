using MoViSharp.Layers;
using MoViSharp.Profiling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>
/// A spatial (1×k×k) or pointwise <see cref="ConvUnit"/> as one 2-D convolution on frames [B, C, H, W] with BatchNorm folded
/// into weight and bias, TF "same" or the unit's explicit padding, and the activation applied in place: two ops instead of conv,
/// BN and activation. On pooled features ([B, C, 1, 1]) a pointwise unit is one matrix product.
/// </summary>
public sealed class FoldedConv2d : CompiledModule, IScalable
{
    private Tensor weight;            // [C_out, C_in/groups, k, k]
    private Tensor bias;              // [C_out]
    private readonly (int H, int W)? explicitPadding;

    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Groups { get; }
    public ActivationKind Activation { get; }

    /// <summary>True when the unit is a spatial or pointwise 2-D conv with a square kernel that this module runs.</summary>
    public static bool Handles(ConvUnit unit) =>
        unit.Kernel.Time == 1 && unit.TemporalStride == 1 && unit.Kernel.Height == unit.Kernel.Width &&
        (unit.ExplicitPadding is null || unit.ExplicitPadding.Value.Height == unit.ExplicitPadding.Value.Width);

    public FoldedConv2d(ConvUnit unit, VideoShape input) : base(input, CompileContext.OutputShape(unit, input))
    {
        if (!Handles(unit)) throw new ArgumentException("FoldedConv2d takes spatial or pointwise units with square kernels (k_t = 1).", nameof(unit));
        var (w, b) = BatchNormFolding.Fold(unit);
        weight = w.squeeze(2).contiguous().DetachFromDisposeScope();
        w.Dispose();
        bias = b.DetachFromDisposeScope();
        OutChannels = unit.OutChannels; Kernel = unit.Kernel.Height; Stride = unit.SpatialStride; Groups = unit.Groups;
        Activation = unit.Activation;
        if (unit.ExplicitPadding is { } p) explicitPadding = (p.Height, p.Width);
    }

    public override Tensor Step(Tensor x, CompiledState state) => Forward(x);

    /// <summary>[B, C_in, H, W] → [B, C_out, H′, W′].</summary>
    public Tensor Forward(Tensor x)
    {
        Tensor y;
        if (Kernel == 1 && Stride == 1 && Groups == 1 && x.shape[2] == 1 && x.shape[3] == 1)
            y = F.linear(x.view(x.shape[0], x.shape[1]), weight.view(OutChannels, -1), bias).view(x.shape[0], OutChannels, 1, 1);
        else if (explicitPadding is { } p)
            y = F.conv2d(x, weight, bias, strides: [Stride, Stride], padding: [p.H, p.W], groups: Groups);
        else
        {
            var (input, padH, padW) = TfSamePadding2d.Prepare(x, Kernel, Stride);
            y = F.conv2d(input, weight, bias, strides: [Stride, Stride], padding: [padH, padW], groups: Groups);
        }
        InPlaceActivation.Apply(y, Activation);
        return y;
    }

    /// <summary>Multiplies weight and bias by <paramref name="scale"/> (only through a linear unit).</summary>
    public bool TryFoldScale(double scale)
    {
        if (Activation != ActivationKind.Identity) return false;
        var w = weight.mul(scale).DetachFromDisposeScope();
        var b = bias.mul(scale).DetachFromDisposeScope();
        weight.Dispose(); bias.Dispose();
        (weight, bias) = (w, b);
        return true;
    }

    /// <summary>The folded weight [C_out, C_in/groups, k, k] and bias (for kernels that run the same numbers themselves).</summary>
    internal (Tensor Weight, Tensor Bias) Folded => (weight, bias);

    public override string Describe => $"FoldedConv2d {Kernel}×{Kernel}/{Stride}{(Groups > 1 ? $" groups {Groups}" : "")}";

    public override void Dispose()
    {
        weight.Dispose();
        bias.Dispose();
        base.Dispose();
    }
}
