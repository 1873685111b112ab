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
}
