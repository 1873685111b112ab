using System.CommandLine;
using MoViSharp.Models;

namespace MoViSharp.Cli;

/// <summary>Options shared by several commands, so they are spelled and parsed the same everywhere.</summary>
public static class CliOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON on standard output" };

    public static Option<string?> Variant() => new("--variant") { Description = "base or stream (default: base, or the suffix of the model name)" };

    public static MoViNetVariant? ParseVariant(string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        "base" => MoViNetVariant.Base,
        "stream" => MoViNetVariant.Stream,
        _ => throw new CliException($"--variant must be base or stream, not '{value}'."),
    };
}
