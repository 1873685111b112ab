using System.CommandLine;
using System.Text.Json;
using MoViSharp.Models;
using MoViSharp.Profiling;
using Spectre.Console;

namespace MoViSharp.Cli.Commands;

/// <summary>`movisharp info MODEL`: parameters, multiply-adds and stream state of a model, without running it.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "a0 … a5 or t0 (optionally with -base or -stream)" };
        var variant = CliOptions.Variant();
        var frames = new Option<int?>("--frames") { Description = "Clip length (default: the model's native clip)" };
        var size = new Option<int?>("--size") { Description = "Frame size in pixels, square (default: native)" };
        var classes = new Option<int>("--classes") { Description = "Number of classes", DefaultValueFactory = _ => 600 };
        var json = CliOptions.Json();
        var command = new Command("info", "Parameters, multiply-adds (clip and per frame) and stream state of a model.")
        {
            model, variant, frames, size, classes, json,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var config = ModelRegistry.Config(result.GetValue(model)!, CliOptions.ParseVariant(result.GetValue(variant)), result.GetValue(classes));
            int f = result.GetValue(frames) ?? config.NativeFrames, s = result.GetValue(size) ?? config.NativeSize;
            if (f < 1 || s < 1) throw new CliException("--frames and --size must be positive.");
            using var net = new MoViNet(config);
            var summary = ModelSummary.Of(net, f, s);
            if (result.GetValue(json)) Console.WriteLine(ToJson(summary));
            else Print(summary, config);
            return 0;
        }));
        return command;
    }

    public static string ToJson(ModelSummary s) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["model"] = s.Model, ["variant"] = s.Variant, ["classes"] = s.Classes, ["frames"] = s.Frames, ["size"] = s.Size,
        ["params"] = s.Parameters, ["macs"] = s.MultiplyAdds, ["macs_per_frame"] = s.MultiplyAddsPerFrame,
        ["state_tensors"] = s.StateTensors, ["state_bytes"] = s.StateBytes,
    });

    private static void Print(ModelSummary s, MoViNetConfig c)
    {
        var table = new Table().AddColumns("", $"MoViNet-{s.Model.ToUpperInvariant()} {s.Variant}");
        table.AddRow("clip", $"{s.Frames} × {s.Size}² × 3, {s.Classes} classes");
        table.AddRow("layers", $"{c.LayerCount} bottlenecks, conv {c.ConvType}, SE {c.SeType}, {c.Activation}{(c.Causal ? ", causal" : "")}{(c.PositionalEncoding ? ", positional encoding" : "")}");
        table.AddRow("parameters", $"{s.Parameters:N0} ({s.Parameters / 1e6:F2} M)");
        table.AddRow("multiply-adds (clip)", $"{s.MultiplyAdds / 1e9:F2} G");
        table.AddRow("multiply-adds per frame", $"{s.MultiplyAddsPerFrame / 1e6:F1} M");
        if (s.StateTensors > 0) table.AddRow("stream state", $"{s.StateTensors} tensors, {s.StateBytes / 1e6:F2} MB");
        AnsiConsole.Write(table);
    }
}
