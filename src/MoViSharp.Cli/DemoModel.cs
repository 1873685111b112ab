using System.Reflection;
using MoViSharp.Weights;

namespace MoViSharp.Cli;

/// <summary>The small stream model trained on the synthetic benchmark (models/demo), embedded into the CLI at build time.</summary>
public static class DemoModel
{
    public const string ResourceName = "MoViSharp.Cli.DemoModel.safetensors";

    public static LoadedModel Load(string? path)
    {
        if (path is not null) return CheckpointLoader.Load(path);
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new CliException("This build carries no demo model (models/demo/movinet-synthetic.safetensors was missing when it was built); pass --weights.");
        return CheckpointLoader.LoadMoViSharp(stream, "embedded demo model");
    }
}
