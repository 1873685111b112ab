using MoViSharp.Platform;

namespace MoViSharp.Cli;

/// <summary>Turns failures into one clear line on standard error and a non-zero exit code.</summary>
public static class CliErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            TorchRuntime.EnsureLoaded();
            return action();
        }
        catch (TorchRuntimeUnavailableException e)
        {
            Console.Error.WriteLine($"error: libtorch cannot be loaded. {e.Message}");
            return 3;
        }
        // Weights files that break their format or hold what MoViSharp does not read (the readers' error contract, docs/fuzzing.md).
        catch (Exception e) when (e is MoViSharp.Weights.CheckpointFormatException or MoViSharp.Weights.CheckpointNotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is CliException or ArgumentException or InvalidDataException or MoViSharp.Weights.Layouts.CheckpointMismatchException or FileNotFoundException
                                       or DirectoryNotFoundException or IOException or InvalidOperationException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("MOVISHARP_DEBUG") is "1") Console.Error.WriteLine(e);
            return 1;
        }
    }
}
