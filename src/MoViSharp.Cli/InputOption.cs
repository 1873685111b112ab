using System.CommandLine;

namespace MoViSharp.Cli;

/// <summary>
/// The input of a command, given either positionally or as <c>--input</c> (with older spellings as aliases): every command
/// takes its input the same way.
/// </summary>
public sealed class InputOption
{
    public Argument<string?> Positional { get; }
    public Option<string?> Named { get; }

    public InputOption(string description, params string[] aliases)
    {
        Positional = new Argument<string?>("input") { Description = description, Arity = ArgumentArity.ZeroOrOne };
        Named = new Option<string?>("--input", ["-i", .. aliases]) { Description = description };
    }

    public void AddTo(Command command)
    {
        command.Arguments.Add(Positional);
        command.Options.Add(Named);
    }

    /// <summary>The input; exactly one of the two forms must be given (or neither when <paramref name="required"/> is false).</summary>
    public string? Get(ParseResult result, bool required = true)
    {
        string? positional = result.GetValue(Positional), named = result.GetValue(Named);
        if (positional is not null && named is not null && positional != named)
            throw new CliException($"Give the input once: '{positional}' and --input '{named}' were both given.");
        var value = positional ?? named;
        if (value is null && required) throw new CliException("Give the input, as the first argument or with --input.");
        return value;
    }
}
