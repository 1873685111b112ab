using MoViSharp.Profiling;
using MoViSharp.Streaming;

namespace MoViSharp.Inference;

/// <summary>
/// One rewrite of the compiler: the fast form of a kind of module, or null when the module is not one it handles (the next rule
/// is tried; modules no rule handles run in their plain form, unfused, through <see cref="PlainStep"/>).
/// </summary>
public interface ICompileRule
{
    CompiledModule? TryCompile(StreamModule module, VideoShape input, CompileContext context);
}

/// <summary>A fusion of two neighbours in a sequence (e.g. a spatial depthwise conv and the temporal one after it).</summary>
public interface IPairCompileRule
{
    CompiledModule? TryCompile(StreamModule first, StreamModule second, VideoShape input, CompileContext context);
}

/// <summary>A compiled module that can absorb a constant factor on its output (a ReZero scale) into its weights.</summary>
public interface IScalable
{
    bool TryFoldScale(double scale);
}
