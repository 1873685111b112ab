using MoViSharp.Profiling;
using static TorchSharp.torch;

namespace MoViSharp.Streaming.Containers;

/// <summary>
/// Modules applied one after another, each registered under its own name directly in this module (so parameter names are
/// <c>&lt;name&gt;.&lt;parameter&gt;</c>, as in a PyTorch module with those fields). The state passes through unchanged; receptive
/// fields, delays and strides compose (<see cref="TemporalProfile.Then"/>). A stage that emits no frame this step ends the call.
/// </summary>
public class Sequential : StreamModule
{
    private readonly List<(string Name, StreamModule Module)> items = [];

    public Sequential(string name, IEnumerable<(string Name, StreamModule Module)> modules) : base(name)
    {
        foreach (var (childName, module) in modules) Add(childName, module);
    }

    public Sequential(params StreamModule[] modules) : this(nameof(Sequential), modules.Select((m, i) => (i.ToString(), m))) { }

    /// <summary>Appends a module (builders of derived classes use it before the model is first run).</summary>
    protected void Add(string childName, StreamModule module)
    {
        register_module(childName, module);
        items.Add((childName, module));
    }

    public IReadOnlyList<(string Name, StreamModule Module)> Items => items;

    /// <summary>Puts <paramref name="replacement"/> in the place of child <paramref name="childName"/> (same name, same position):
    /// rewrites such as the continual conversion swap parameter-free parts and keep every weight where it was.</summary>
    public void Replace(string childName, StreamModule replacement)
    {
        int index = items.FindIndex(i => i.Name == childName);
        if (index < 0) throw new ArgumentException($"{GetType().Name} has no child '{childName}'.", nameof(childName));
        items[index] = (childName, replacement);
        _internal_submodules[childName] = replacement;
    }

    /// <summary>
    /// Containers register their children by name (<see cref="Add"/>), never by reflection over fields: a derived block's
    /// typed accessors (properties over the same modules) must not register the modules a second time under other names.
    /// </summary>
    protected sealed override void RegisterComponents() { }

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        var x = input;
        foreach (var (_, module) in items)
        {
            x = module.Forward(x, state);
            if (x.shape[2] == 0) break;     // a strided stage emitted nothing this step
        }
        return x;
    }

    public override TemporalProfile Temporal => items.Aggregate(TemporalProfile.Pointwise, (p, m) => p.Then(m.Module.Temporal));

    public override VideoShape Trace(VideoShape input, ModelTrace trace) =>
        items.Aggregate(input, (shape, m) => m.Module.Trace(shape, trace));
}
