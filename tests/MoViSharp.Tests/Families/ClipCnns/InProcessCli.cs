using MoViSharp.Cli;

namespace MoViSharp.Tests.Families.ClipCnns;

/// <summary>
/// Runs a movisharp command inside the test process (no process start, no second libtorch load): the same parser and commands
/// as the executable, standard output and error captured. One command at a time, since the console is process-wide; use only
/// commands whose output is plain text (e.g. --json), not Spectre tables.
/// </summary>
internal static class InProcessCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs through <see cref="Cli.CliRunner.Run"/>, which serialises every in-process command of the suite.</summary>
    public static Result Run(params string[] args)
    {
        var run = Cli.CliRunner.Run(args);
        return new Result(run.ExitCode, run.Stdout, run.Stderr);
    }

    public static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("clipcnn").FullName, name);
}
