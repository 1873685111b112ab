using System.CommandLine;

namespace MoViSharp.Cli;

/// <summary>Options shared by several commands, so they are spelled and parsed the same everywhere.</summary>
public static class CliOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON on standard output" };

    public static Option<string?> Variant() => new("--variant") { Description = "Appended to the model name as '-VARIANT' (MoViNets: base or stream)" };

    /// <summary>Where a command writes its result: <c>--output</c> everywhere (older spellings kept as aliases).</summary>
    public static Option<string> Output(string description, bool required = true, params string[] aliases) =>
        new("--output", ["-o", .. aliases]) { Description = description, Required = required };

    /// <summary>--plain: run the model as it is instead of its compiled fast form (to compare).</summary>
    public static Option<bool> Plain() => new("--plain") { Description = "Run the plain model instead of the compiled fast path (to compare)" };

    /// <summary>--size: the square frame size the model sees, in pixels, everywhere.</summary>
    public static Option<int?> Size(string? description = null) =>
        new("--size") { Description = description ?? "Square frame size the model sees, in pixels (default: the model's)" };

    /// <summary>--labels: class names, one per line.</summary>
    public static Option<string?> Labels() => new("--labels") { Description = "Class names, one per line (line n names class n)" };

    public static string? ParseVariant(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        var v => v,
    };
}
