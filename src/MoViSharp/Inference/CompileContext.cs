using MoViSharp.Profiling;
using MoViSharp.Streaming;

namespace MoViSharp.Inference;

/// <summary>What rules see while a model is compiled: the options, state-slot reservation and recursive compilation of children.</summary>
public sealed class CompileContext
{
    private readonly IReadOnlyList<ICompileRule> rules;
    private readonly IReadOnlyList<IPairCompileRule> pairRules;

    internal CompileContext(CompileOptions options, IReadOnlyList<ICompileRule> rules, IReadOnlyList<IPairCompileRule> pairRules)
    {
        Options = options;
        this.rules = rules;
        this.pairRules = pairRules;
    }

    public CompileOptions Options { get; }

    /// <summary>State slots reserved so far.</summary>
    public int SlotCount { get; private set; }

    /// <summary>Reserves a state slot (a tensor or a plain state, plus a ring position) for the module being compiled.</summary>
    public int ReserveSlot() => SlotCount++;

    /// <summary>The per-frame output shape of <paramref name="module"/> for <paramref name="input"/>.</summary>
    public static VideoShape OutputShape(StreamModule module, VideoShape input) => module.Trace(input with { Frames = 1 }, new ModelTrace(1)) with { Frames = 1 };

    /// <summary>Compiles one module with the first rule that takes it, else its plain form.</summary>
    public CompiledModule Compile(StreamModule module, VideoShape input)
    {
        foreach (var rule in rules)
            if (rule.TryCompile(module, input, this) is { } compiled) return compiled;
        return new PlainStep(module, input, this);
    }

    /// <summary>Compiles modules in order, letting pair rules fuse neighbours.</summary>
    public IReadOnlyList<CompiledModule> CompileSequence(IReadOnlyList<StreamModule> modules, VideoShape input)
    {
        var result = new List<CompiledModule>();
        var shape = input;
        for (int i = 0; i < modules.Count; i++)
        {
            CompiledModule? fused = null;
            if (i + 1 < modules.Count)
                foreach (var rule in pairRules)
                    if ((fused = rule.TryCompile(modules[i], modules[i + 1], shape, this)) is not null) break;
            var compiled = fused ?? Compile(modules[i], shape);
            if (fused is not null) i++;
            result.Add(compiled);
            shape = compiled.Output;
        }
        return result;
    }
}
