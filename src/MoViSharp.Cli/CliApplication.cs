using System.CommandLine;
using MoViSharp.Cli.Commands;

namespace MoViSharp.Cli;

/// <summary>The movisharp command line: one file per command under Commands/.</summary>
public static class CliApplication
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("MoViSharp: efficient, online video recognition (MoViNets) for .NET.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(SearchSpaceCommand.Create());
        root.Subcommands.Add(SearchCostCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(ScaleCommand.Create());
        return root;
    }

    public static int Run(string[] args) => BuildRootCommand().Parse(args).Invoke();
}
