using System.CommandLine;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp convert`: any supported checkpoint → a MoViSharp safetensors checkpoint (self-describing: family, config and labels in
/// its metadata), or back to an upstream layout of the model's family (`--layout port`, …), as safetensors or as a torch.save archive that
/// PyTorch loads (by the destination's extension).
/// </summary>
public static class ConvertCommand
{
    /// <summary>Destinations written as PyTorch's torch.save zip archive (any other extension: safetensors).</summary>
    private static readonly HashSet<string> TorchExtensions = [".pth", ".pt", ".pyth", ".ckpt", ".tar"];

    public static Command Create()
    {
        var weights = new WeightsOptions();
        var input = new InputOption("Source weights file (any format `classify` reads)", "--from");
        var output = CliOptions.Output("Destination file: .safetensors, or with an upstream --layout also .pth/.pt/.pyth (torch.save zip archive)", aliases: "--to");
        var labels = CliOptions.Labels();
        var layout = new Option<string>("--layout") { Description = "movisharp (default) or an upstream layout of the model's family (e.g. port)", DefaultValueFactory = _ => "movisharp" };
        var command = new Command("convert", "Convert a checkpoint to a MoViSharp safetensors checkpoint, or back to an upstream layout.") { output, labels, layout };
        input.AddTo(command);
        command.Options.Add(weights.Model);
        command.Options.Add(weights.Variant);
        command.Options.Add(weights.Gate);
        command.Options.Add(weights.Config);
        command.SetAction(result => CliErrors.Run(() =>
        {
            string source = input.Get(result)!, destination = result.GetValue(output)!;
            using var loaded = weights.Load(source, result);
            var model = loaded.Model;
            var names = result.GetValue(labels) is { } labelPath ? LabelFile.Read(labelPath, model.NumClasses) : loaded.Labels;
            string layoutName = result.GetValue(layout)!;
            bool torchFile = TorchExtensions.Contains(Path.GetExtension(destination).ToLowerInvariant());
            if (layoutName == "movisharp" && torchFile)
                throw new CliException($"--to {destination}: a MoViSharp checkpoint is a .safetensors file; to write a torch.save file give --layout with an upstream layout of the model's family.");
            if (layoutName == "movisharp")
                MoViSharpCheckpoint.Save(destination, model, names, new Dictionary<string, string> { ["converted_from"] = Path.GetFileName(source) });
            else
            {
                var family = ModelRegistry.Family(model.Config.Family);
                var upstream = family.Layouts.FirstOrDefault(l => l.Name == layoutName)
                    ?? throw new CliException($"--layout must be movisharp or one of the {family.Name} layouts ({string.Join(", ", family.Layouts.Select(l => l.Name))}), not '{layoutName}'.");
                using var tensors = upstream.Export(model);
                if (torchFile) TorchCheckpointWriter.Write(destination, tensors, upstream.TorchWrapKey);
                else SafeTensorsFile.Write(destination, tensors);
            }
            Console.Error.WriteLine($"wrote {model.Config.Id} ({model.ParameterCount:N0} parameters{(names is null ? "" : $", {names.Count} labels")}) to {destination}");
            return 0;
        }));
        return command;
    }
}
