using MoViSharp.Layers;
using MoViSharp.Profiling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Streaming.Containers;

/// <summary>
/// shortcut(x) + drop_path(scale · branch(x)): the branch is this module's own sequence of children (registered flat, so a
/// block keeps its natural parameter names), the shortcut is identity or one named module, the optional scale is a learnable
/// scalar initialised to 0 (ReZero) and drop path (stochastic depth) acts only in training. In many-step calls the side with
/// the smaller delay goes through a <see cref="Delay"/> so both refer to the same input frame (continual-inference's
/// Residual); in the clip call the alignment is the identity.
/// </summary>
public class Residual : Sequential
{
    private readonly StreamModule? shortcut;
    private readonly Delay? shortcutDelay, branchDelay;
    private readonly Parameter? scale;

    public double DropPathRate { get; }
    public StreamModule? Shortcut => shortcut;
    /// <summary>The ReZero scale (a scalar parameter), or null.</summary>
    public Parameter? Scale => scale;

    public Residual(string name, IEnumerable<(string Name, StreamModule Module)> branch, (string Name, StreamModule Module)? shortcut = null,
        string? scaleName = null, double dropPathRate = 0) : base(name, branch)
    {
        DropPathRate = dropPathRate;
        if (shortcut is var (shortcutName, module))
        {
            this.shortcut = module;
            register_module(shortcutName, module);
        }
        if (scaleName is not null)
        {
            scale = new Parameter(zeros(Array.Empty<long>()));
            register_parameter(scaleName, scale);
        }
        int branchLag = BranchTemporal.Delay, shortcutLag = this.shortcut?.Temporal.Delay ?? 0;
        if (branchLag > shortcutLag) register_module("shortcut_delay", shortcutDelay = new Delay(branchLag - shortcutLag));
        else if (shortcutLag > branchLag) register_module("branch_delay", branchDelay = new Delay(shortcutLag - branchLag));
    }

    private TemporalProfile BranchTemporal => base.Temporal;

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        var identity = shortcut is null ? input : shortcut.Forward(input, state);
        var y = base.Forward(input, state);
        if (shortcutDelay is not null) identity = shortcutDelay.Forward(identity, state);
        if (branchDelay is not null) y = branchDelay.Forward(y, state);
        if (scale is not null) y = y.mul(scale);
        y = StochasticDepth.Apply(y, DropPathRate, training);
        return identity.add(y, Scalars.One);
    }

    public override TemporalProfile Temporal =>
        TemporalProfile.Parallel([BranchTemporal, shortcut?.Temporal ?? TemporalProfile.Pointwise]);

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var shortcutShape = shortcut?.Trace(input, trace) ?? input;
        var output = base.Trace(input, trace);
        shortcutDelay?.Trace(shortcutShape, trace);
        branchDelay?.Trace(output, trace);
        return output;
    }
}
