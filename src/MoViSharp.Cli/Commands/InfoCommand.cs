using System.CommandLine;
using System.Text.Json;
using MoViSharp.Models;
using MoViSharp.Profiling;
using Spectre.Console;

namespace MoViSharp.Cli.Commands;

/// <summary>`movisharp info MODEL`: parameters, multiply-adds, temporal profile and stream state of a registered model, without running it.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string?>("model") { Description = "A registered model (see --list), e.g. a0-stream", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "List every registered model with its family and published figures" };
        var variant = CliOptions.Variant();
        var frames = new Option<int?>("--frames") { Description = "Clip length (default: the model's native clip)" };
        var size = CliOptions.Size("Frame size in pixels, square (default: native)");
        var classes = new Option<int?>("--classes") { Description = "Number of classes (default: the model's)" };
        var json = CliOptions.Json();
        var configFile = new Option<string?>("--config") { Description = "A model config JSON (its 'family' names the family), e.g. a search's best/config.json, instead of a model name" };
        var command = new Command("info", "Parameters, multiply-adds (clip and per frame), receptive field, delay and stream state of a model.")
        {
            model, list, variant, frames, size, classes, json, configFile,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            if (result.GetValue(list)) return List(result.GetValue(json));
            ModelConfig config;
            if (result.GetValue(configFile) is { } file)
            {
                config = ModelConfigFile.Read(file);
                if (result.GetValue(classes) is int k) config = config with { NumClasses = k };
            }
            else config = ModelRegistry.Config(result.GetValue(model) ?? throw new CliException("Give a model name, --config FILE or --list."),
                result.GetValue(classes), CliOptions.ParseVariant(result.GetValue(variant)));
            int f = result.GetValue(frames) ?? config.Preprocessing.Frames, s = result.GetValue(size) ?? config.Preprocessing.Size;
            if (f < 1 || s < 1) throw new CliException("--frames and --size must be positive.");
            using var net = ModelRegistry.Build(config);
            var summary = ModelSummary.Of(net, f, s);
            if (result.GetValue(json)) Console.WriteLine(ToJson(summary));
            else Print(summary);
            return 0;
        }));
        return command;
    }

    private static int List(bool json)
    {
        var models = ModelRegistry.Models;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(models.Select(m => new Dictionary<string, object?>
            {
                ["name"] = m.Name, ["family"] = m.Family, ["id"] = m.Config.Id, ["description"] = m.Description,
                ["label_set"] = m.Weights?.LabelSet, ["top1"] = m.Weights?.Top1, ["frames"] = m.Config.Preprocessing.Frames,
                ["size"] = m.Config.Preprocessing.Size,
            })));
            return 0;
        }
        var table = new Table().AddColumns("model", "family", "input", "published top-1", "what");
        foreach (var m in models)
            table.AddRow(m.Name, m.Family, $"{m.Config.Preprocessing.Frames}×{m.Config.Preprocessing.Size}²",
                m.Weights?.Top1 is { } t ? $"{t:F2} ({m.Weights.LabelSet})" : "-", Markup.Escape(m.Description));
        AnsiConsole.Write(table);
        return 0;
    }

    public static string ToJson(ModelSummary s) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["family"] = s.Family, ["id"] = s.Id, ["model"] = s.Model, ["variant"] = s.Variant, ["classes"] = s.Classes,
        ["frames"] = s.Frames, ["size"] = s.Size,
        ["params"] = s.Parameters, ["macs"] = s.MultiplyAdds, ["macs_per_frame"] = s.MultiplyAddsPerFrame,
        ["state_tensors"] = s.StateTensors, ["state_bytes"] = s.StateBytes,
        ["streamable"] = s.Streamable, ["receptive_field"] = s.ReceptiveField, ["delay"] = s.Delay,
    });

    private static void Print(ModelSummary s)
    {
        var table = new Table().AddColumns("", $"{s.Id} ({s.Family})");
        table.AddRow("clip", $"{s.Frames} × {s.Size}² × 3, {s.Classes} classes");
        table.AddRow("parameters", $"{s.Parameters:N0} ({s.Parameters / 1e6:F2} M)");
        table.AddRow("multiply-adds (clip)", $"{s.MultiplyAdds / 1e9:F2} G");
        table.AddRow("multiply-adds per frame", $"{s.MultiplyAddsPerFrame / 1e6:F1} M");
        table.AddRow("temporal", s.Streamable ? $"streams: receptive field {(s.ReceptiveField == 0 ? "unbounded (cumulative)" : $"{s.ReceptiveField} frames")}, delay {s.Delay}" : "clip model (does not stream)");
        if (s.StateTensors > 0) table.AddRow("stream state", $"{s.StateTensors} tensors, {s.StateBytes / 1e6:F2} MB");
        AnsiConsole.Write(table);
    }
}
