using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// One module of a compiled model: the fast inference form of a <see cref="StreamModule"/> for one frame at a time
/// ([B, C, H, W] in, [B, C′, H′, W′] out, or null when the module emits nothing this step). Weights are folded copies made at
/// compile time; state lives in a <see cref="CompiledState"/> (slots the module reserved when it was compiled), so one compiled
/// model serves any number of states. Each module converts its slots to and from the plain module's state keys and layouts,
/// so a stream can move between the plain and the compiled path at any frame.
/// </summary>
public abstract class CompiledModule(VideoShape input, VideoShape output) : IDisposable
{
    /// <summary>The per-frame shape it takes and gives (Frames = 1).</summary>
    public VideoShape Input { get; } = input;
    public VideoShape Output { get; } = output;

    public abstract Tensor? Step(Tensor x, CompiledState state);

    /// <summary>The compiled modules inside this one (containers), for state handling and diagnostics.</summary>
    public virtual IEnumerable<CompiledModule> Children => [];

    /// <summary>Creates this module's state slots for <see cref="CompiledState.BatchSize"/> streams from the zero state.</summary>
    public virtual void InitState(CompiledState state)
    {
        foreach (var child in Children) child.InitState(state);
    }

    /// <summary>Writes this module's state into <paramref name="into"/> under the plain module's keys and layouts.</summary>
    public virtual void ExportState(CompiledState state, StreamState into)
    {
        foreach (var child in Children) child.ExportState(state, into);
    }

    /// <summary>Sets this module's slots from <paramref name="from"/> (plain keys and layouts, any number of streams).</summary>
    public virtual void ImportState(StreamState from, CompiledState state)
    {
        foreach (var child in Children) child.ImportState(from, state);
    }

    /// <summary>What this module is, for diagnostics (e.g. which layers fell back to their plain form).</summary>
    public virtual string Describe => GetType().Name;

    /// <summary>This module and every module inside it.</summary>
    public IEnumerable<CompiledModule> Flatten() => Children.SelectMany(c => c.Flatten()).Prepend(this);

    public virtual void Dispose()
    {
        foreach (var child in Children) child.Dispose();
        GC.SuppressFinalize(this);
    }
}
