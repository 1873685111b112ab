using MoViSharp.Profiling;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>Compiled modules one after another; a module that emits nothing ends the step.</summary>
public sealed class CompiledSequential(IReadOnlyList<CompiledModule> modules, VideoShape input)
    : CompiledModule(input, modules.Count == 0 ? input : modules[^1].Output)
{
    public IReadOnlyList<CompiledModule> Modules { get; } = modules;

    public override IEnumerable<CompiledModule> Children => Modules;

    public override Tensor? Step(Tensor x, CompiledState state)
    {
        Tensor? y = x;
        foreach (var module in Modules)
        {
            y = module.Step(y, state);
            if (y is null) return null;
        }
        return y;
    }

    public override string Describe => $"Sequential({Modules.Count})";
}
