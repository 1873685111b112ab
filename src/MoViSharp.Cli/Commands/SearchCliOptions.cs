using MoViSharp.Inference;
using MoViSharp.Search;

namespace MoViSharp.Cli.Commands;

/// <summary>Option parsing shared by the search commands.</summary>
internal static class SearchCliOptions
{
    public static TimingClock ParseClock(string text) => text.Trim().ToLowerInvariant() switch
    {
        "wall" => TimingClock.Wall,
        "thread-cpu" => TimingClock.ThreadCpu,
        _ => throw new CliException($"--clock must be wall or thread-cpu, not '{text}'."),
    };

    public const string DepthwiseDescription =
        "How the timed networks run depthwise layers: measured (per layer, the faster of the two at compile time: what classify does), " +
        "simd or torch (fixed: two compilations of a network always agree, so layer tables and whole networks time the same code)";

    /// <summary>The compile options latency is measured with; <c>measured</c> is the product default.</summary>
    public static CompileOptions ParseDepthwise(string text) => text.Trim().ToLowerInvariant() switch
    {
        "measured" => CompileOptions.Default with { Depthwise = DepthwiseExecution.Measured },
        "simd" => CompileOptions.SimdOnly,
        "torch" => CompileOptions.TorchOnly,
        _ => throw new CliException($"--depthwise must be measured, simd or torch, not '{text}'."),
    };
}
