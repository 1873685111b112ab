using MoViSharp.Profiling;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Streaming;

/// <summary>
/// The streaming contract every layer, block and model of MoViSharp implements (in the spirit of the continual-inference
/// library): one module, three calls with one semantics, on activations [B, C, T, …] (video [B, C, T, H, W]; pooled features
/// [B, C, T, 1, 1]).
/// <list type="bullet">
/// <item><b>Clip</b>: <c>forward(x)</c> = <see cref="Forward(Tensor, StreamState?)"/> with no state: the whole clip from a zero
/// past, exactly as in training (non-causal layers pad both ends of the clip).</item>
/// <item><b>Many steps</b>: <see cref="Forward(Tensor, StreamState?)"/> with a state continues it over T more frames and writes
/// the state after the last one. Output frame n is the clip output for input frame n − <see cref="TemporalProfile.Delay"/> once
/// the stream has passed the receptive field; before that (the transient) the layers see the temporal fill where the clip call
/// saw zero padding. For a single layer, and for causal models (delay 0), there is no transient: many steps from an empty
/// state equal the clip call from the first frame. A module with temporal stride s emits only every s-th frame, so a call may
/// return zero frames.</item>
/// <item><b>One step</b>: <see cref="Step"/> on one frame [B, C, …] without a time axis; null when nothing is emitted.</item>
/// </list>
/// The state is explicit (<see cref="StreamState"/>, a map from module path to tensors whose first dimension is the stream);
/// modules keep nothing between calls. <see cref="Temporal"/> states receptive field, delay and stride; <see cref="Trace"/>
/// adds multiply-adds and state tensors to a trace without running anything.
/// </summary>
public abstract class StreamModule(string name) : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor input) => Forward(input, null);

    /// <summary>The clip call (<paramref name="state"/> null) or the many-step call continuing <paramref name="state"/>.</summary>
    public abstract Tensor Forward(Tensor input, StreamState? state);

    /// <summary>One frame [B, C, …] (no time axis) → this module's output for it, or null when it emits nothing this step.</summary>
    public Tensor? Step(Tensor frame, StreamState state)
    {
        if (frame.dim() < 2) throw new ArgumentException($"{GetType().Name}.Step takes one frame [B, C, …], got [{string.Join(", ", frame.shape)}].");
        var y = Forward(frame.unsqueeze(2), state);
        return y.shape[2] == 0 ? null : y.squeeze(2);
    }

    /// <summary>Receptive field, delay and stride along time, in input frames.</summary>
    public virtual TemporalProfile Temporal => TemporalProfile.Pointwise;

    /// <summary>Null when this module can run frame by frame; otherwise why it cannot (e.g. it pools over the whole clip).</summary>
    public virtual string? NotStreamableReason => StreamChildren.Select(c => c.Module.NotStreamableReason).FirstOrDefault(r => r is not null);

    /// <summary>The output shape for <paramref name="input"/>; adds this module's multiply-adds and state tensors to <paramref name="trace"/>.</summary>
    public abstract VideoShape Trace(VideoShape input, ModelTrace trace);

    /// <summary>This module's path in its model (e.g. <c>blocks.b1_l0.feature.temporal</c>): the key prefix of the state it owns.</summary>
    public string Path { get; private set; } = "";

    /// <summary>The state key of this module's tensor <paramref name="local"/> (or of its only tensor).</summary>
    protected string StateKey(string? local = null) =>
        local is null ? (Path.Length == 0 ? GetName() : Path) : Path.Length == 0 ? local : $"{Path}.{local}";

    /// <summary>The stream modules directly under this one, with their names.</summary>
    public IEnumerable<(string Name, StreamModule Module)> StreamChildren =>
        named_children().Where(c => c.module is StreamModule).Select(c => (c.name, (StreamModule)c.module));

    /// <summary>Makes this module the root of state paths: every stream module below it learns its path (call once on a model).</summary>
    public void AssignStatePaths()
    {
        Path = "";
        foreach (var (name, module) in named_modules())
            if (module is StreamModule s) s.Path = name;
    }

    /// <summary>Every stream module below this one with its path (depth first, parents before children).</summary>
    public IEnumerable<StreamModule> Descendants() => named_modules().Select(m => m.module).OfType<StreamModule>();
}
