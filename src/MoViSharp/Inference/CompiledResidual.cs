using TorchSharp;
using MoViSharp.Streaming;
using MoViSharp.Profiling;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// A residual for one frame: the shortcut (identity or compiled), the compiled branch whose last module absorbed the ReZero scale
/// when it could (else one multiply), the two added in place. Drop path is inference-free.
/// </summary>
public sealed class CompiledResidual : CompiledModule
{
    private readonly CompiledModule? shortcut;
    private readonly CompiledSequential branch;
    private readonly double? scale;
    private readonly Scalar? scaleScalar;   // held for the module's life: see Scalars

    public CompiledResidual(CompiledModule? shortcut, CompiledSequential branch, double? scale, VideoShape input) : base(input, branch.Output)
    {
        this.shortcut = shortcut;
        this.branch = branch;
        // The scale costs nothing when the branch's last module can carry it.
        if (scale is { } s && branch.Modules.Count > 0 && branch.Modules[^1] is IScalable last && last.TryFoldScale(s)) this.scale = null;
        else this.scale = scale;
        scaleScalar = this.scale?.ToScalar();
    }

    public override IEnumerable<CompiledModule> Children => shortcut is null ? [branch] : [shortcut, branch];

    public override Tensor? Step(Tensor x, CompiledState state)
    {
        var identity = shortcut is null ? x : shortcut.Step(x, state);
        var y = branch.Step(x, state);
        if (identity is null || y is null) return null;
        if (scaleScalar is not null) y = y.mul(scaleScalar);
        return y.add_(identity, Scalars.One);
    }

    public override string Describe => $"Residual({(shortcut is null ? "identity" : shortcut.Describe)}{(scale is null ? "" : ", scaled")})";
}
