namespace MoViSharp.Cli;

/// <summary>A user-facing error: printed as one line on standard error, exit code 1.</summary>
public sealed class CliException(string message) : Exception(message);
