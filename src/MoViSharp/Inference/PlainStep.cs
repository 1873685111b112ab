using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// A module no rule compiles, run as it is: its own <see cref="StreamModule.Step"/> on a plain state of its own (the same keys
/// as in the plain model). So a new family runs on the compiled path on day one, unfused, and gets faster rule by rule.
/// </summary>
public sealed class PlainStep : CompiledModule
{
    private readonly StreamModule module;
    private readonly int slot;
    private readonly IReadOnlyList<StateSpec> specs;

    public PlainStep(StreamModule module, VideoShape input, CompileContext context) : base(input, CompileContext.OutputShape(module, input))
    {
        if (module.NotStreamableReason is { } reason) throw new NotSupportedException(reason);
        this.module = module;
        var trace = new ModelTrace(1);
        module.Trace(input with { Frames = 1 }, trace);
        specs = trace.States;
        slot = context.ReserveSlot();
    }

    public override void InitState(CompiledState state) => state.Set(slot, new StreamState(state.BatchSize));

    public override Tensor? Step(Tensor x, CompiledState state) => module.Step(x, state.Plain(slot));

    public override void ExportState(CompiledState state, StreamState into)
    {
        var own = state.Plain(slot);
        foreach (var spec in specs)
        {
            var shape = spec.Shape.ToArray();
            shape[0] = state.BatchSize;
            into.Set(spec.Name, own.TryGet(spec.Name, out var t) ? t.clone() : zeros(shape, spec.DType));
        }
    }

    public override void ImportState(StreamState from, CompiledState state)
    {
        var own = new StreamState(from.BatchSize);
        foreach (var spec in specs) own.Set(spec.Name, from[spec.Name].clone());
        state.Set(slot, own);
    }

    public override string Describe => $"Plain {module.GetType().Name} ({module.Path})";
}
