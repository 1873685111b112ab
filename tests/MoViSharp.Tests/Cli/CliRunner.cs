using System.Diagnostics;
using MoViSharp.Cli;
using Spectre.Console;

namespace MoViSharp.Tests.Cli;

/// <summary>
/// Runs the movisharp command line: in this process (<see cref="Run"/>, the default: no process start, and families registered
/// by the tests are visible) with standard output and error captured, or as a separate process (<see cref="RunProcess"/>) where
/// a test needs a real one (stdin, signals, child processes).
/// </summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    // Console and AnsiConsole are process-wide: one in-process command at a time.
    private static readonly object ConsoleGate = new();

    /// <summary>Runs a command in this process, capturing what it writes to standard output and error.</summary>
    public static Result Run(params string[] args)
    {
        lock (ConsoleGate)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var (oldOut, oldError, oldAnsi) = (Console.Out, Console.Error, AnsiConsole.Console);
            try
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Out = new AnsiConsoleOutput(stdout), ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
                });
                int code = CliApplication.Run(args);
                return new Result(code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
                AnsiConsole.Console = oldAnsi;
            }
        }
    }

    public static Result RunProcess(params string[] args) => RunWithInput(null, args);

    /// <summary>Runs the built CLI as a separate process, as a user would, feeding its standard input.</summary>
    public static Result RunWithInput(Action<Stream>? writeStdin, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = writeStdin is not null,
            UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MoViSharp.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (writeStdin is not null)
        {
            writeStdin(process.StandardInput.BaseStream);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"movisharp {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The repository root (the folder holding MoViSharp.slnx), found from the test output folder.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MoViSharp.slnx"))) return dir.FullName;
            throw new DirectoryNotFoundException("MoViSharp.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// The shared reference data: shared/reference beside the repository (../shared/reference) or in a folder further up
    /// (a git worktree nests the repository deeper); fails clearly when absent.
    /// </summary>
    public static string Reference(string relative)
    {
        var looked = new List<string>();
        for (var dir = new DirectoryInfo(RepositoryRoot); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "reference", relative);
            if (File.Exists(candidate)) return candidate;
            looked.Add(candidate);
        }
        throw new FileNotFoundException($"Reference file {relative} missing; looked in: {string.Join(", ", looked)} (see shared/reference/README.md).");
    }
}
