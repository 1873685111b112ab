using MoViSharp.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// Folds a <see cref="ConvUnit"/>'s eval-mode BatchNorm (and an optional extra scale, e.g. a ReZero factor) into its
/// convolution: W' = s·γ/√(σ²+ε)·W and b' = s·((b − μ)·γ/√(σ²+ε) + β). Computed in float64, stored as float32, so the
/// folded conv differs from conv→BN only by float32 rounding.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>The folded weight (5-D, as stored by the unit) and bias [C_out], both detached float32.</summary>
    public static (Tensor Weight, Tensor Bias) Fold(ConvUnit unit, double scale = 1.0)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var weight = unit.Weight.detach().to_type(ScalarType.Float64);
        var bias = unit.Bias is null ? zeros(unit.OutChannels, dtype: ScalarType.Float64) : unit.Bias.detach().to_type(ScalarType.Float64);
        if (unit.Norm is { } bn)
        {
            var gamma = bn.weight is null ? ones(unit.OutChannels, dtype: ScalarType.Float64) : bn.weight.detach().to_type(ScalarType.Float64);
            var beta = bn.bias is null ? zeros(unit.OutChannels, dtype: ScalarType.Float64) : bn.bias.detach().to_type(ScalarType.Float64);
            var factor = gamma.div(bn.running_var!.to_type(ScalarType.Float64).add(bn.eps).sqrt());
            weight = weight.mul(factor.view(-1, 1, 1, 1, 1));
            bias = bias.sub(bn.running_mean!.to_type(ScalarType.Float64)).mul(factor).add(beta);
        }
        if (scale != 1.0) { weight = weight.mul(scale); bias = bias.mul(scale); }
        var w = weight.to_type(ScalarType.Float32).contiguous();
        var b = bias.to_type(ScalarType.Float32).contiguous();
        return scope.MoveToOuter(w, b);
    }
}
