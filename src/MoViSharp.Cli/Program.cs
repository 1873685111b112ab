using MoViSharp.Cli;

return CliApplication.Run(args);
