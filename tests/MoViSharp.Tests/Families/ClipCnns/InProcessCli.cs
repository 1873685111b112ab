using MoViSharp.Cli;

namespace MoViSharp.Tests.Families.ClipCnns;

/// <summary>
/// Runs a movisharp command inside the test process (no process start, no second libtorch load): the same parser and commands
/// as the executable, standard output and error captured. One command at a time, since the console is process-wide; use only
/// commands whose output is plain text (e.g. --json), not Spectre tables.
/// </summary>
internal static class InProcessCli
{
    private static readonly object Gate = new();

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        lock (Gate)
        {
            TextWriter stdout = Console.Out, stderr = Console.Error;
            using var output = new StringWriter();
            using var error = new StringWriter();
            Console.SetOut(output);
            Console.SetError(error);
            try
            {
                int code = CliApplication.Run(args);
                return new Result(code, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
            }
        }
    }

    public static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("clipcnn").FullName, name);
}
