using System.CommandLine;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp convert`: any supported checkpoint → a MoViSharp safetensors checkpoint (self-describing: config and labels in
/// its metadata), or back to the PyTorch port's key layout (`--layout port`).
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var weights = new WeightsOptions();
        weights.Weights.Required = false;
        var from = new Option<string>("--from") { Description = "Source weights file", Required = true };
        var to = new Option<string>("--to") { Description = "Destination .safetensors file", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Label file to embed (one class per line)" };
        var layout = new Option<string>("--layout") { Description = "movisharp (default) or port", DefaultValueFactory = _ => "movisharp" };
        var command = new Command("convert", "Convert a checkpoint to a MoViSharp safetensors checkpoint.") { from, to, labels, layout };
        command.Options.Add(weights.Model);
        command.Options.Add(weights.Variant);
        command.Options.Add(weights.Gate);
        command.Options.Add(weights.Config);
        command.SetAction(result => CliErrors.Run(() =>
        {
            string source = result.GetValue(from)!, destination = result.GetValue(to)!;
            var (model, embedded) = CheckpointLoader.Load(source, weights.Hints(result));
            using var _model = model;
            var names = result.GetValue(labels) is { } labelPath ? LabelFile.Read(labelPath, model.Config.NumClasses) : embedded;
            switch (result.GetValue(layout))
            {
                case "movisharp":
                    MoViSharpCheckpoint.Save(destination, model, names, new Dictionary<string, string> { ["converted_from"] = Path.GetFileName(source) });
                    break;
                case "port":
                    using (var port = PortCheckpoint.Export(model)) SafeTensorsFile.Write(destination, port);
                    break;
                default:
                    throw new CliException($"--layout must be movisharp or port, not '{result.GetValue(layout)}'.");
            }
            Console.Error.WriteLine($"wrote {model.Config.Id} ({model.ParameterCount:N0} parameters{(names is null ? "" : $", {names.Count} labels")}) to {destination}");
            return 0;
        }));
        return command;
    }
}
