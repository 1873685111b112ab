using System.CommandLine;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Quantization;
using MoViSharp.Onnx.Tflite;
using MoViSharp.Weights;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp export --onnx`: any model built from the shared blocks as an ONNX file (opset 17, named inputs and outputs,
/// metadata with family, configuration, labels and preprocessing). Stream models write the plain form (states in, states out;
/// MoViNets under TF's official state names) and, beside it, the ring form; clip models their clip graph.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var weights = new WeightsOptions();
        var onnx = new Option<bool>("--onnx") { Description = "Write ONNX (the export format)" };
        var output = CliOptions.Output("Destination .onnx file (the ring form goes beside it as NAME.ring.onnx)");
        var form = new Option<string?>("--form") { Description = "plain, ring or clip (default: plain and ring for stream models, clip for clip models)" };
        var size = CliOptions.Size("Frame size of the graph (default: the model's)");
        var frames = new Option<int?>("--frames") { Description = "Frames of the clip graph's input (default: the model's clip)" };
        var labels = CliOptions.Labels();
        var moduleNames = new Option<bool>("--module-state-names") { Description = "Name MoViNet states by module path instead of TF's official names" };
        var int8 = new Option<bool>("--int8") { Description = "Static int8 QDQ quantization (per-channel int8 weights, activation ranges calibrated on --calibrate clips); ring form for stream models" };
        var calibrate = new Option<string[]>("--calibrate")
        {
            Description = "Calibration clips for --int8: videos, .npy clips or folders of them, or 'synthetic' (default: 8 fresh clips of the synthetic benchmark)",
            AllowMultipleArgumentsPerToken = true,
        };
        var calibration = new Option<string>("--calibration") { Description = "How ranges are read off the calibration clips: minmax (extremes) or averaged (mean of per-frame extremes)", DefaultValueFactory = _ => "minmax" };
        var tfliteGraph = new Option<bool>("--tflite-graph")
        {
            Description = "Translate an int8 MoViNet stream .tflite file op by op into an ONNX QDQ graph (its own integer arithmetic), instead of exporting the float model imported from it",
        };
        var calibrationFrames = new Option<int>("--calibration-frames") { Description = "Frames read from each calibration clip", DefaultValueFactory = _ => 32 };
        var command = new Command("export", "Export a model to ONNX: stream models with their state as inputs and outputs, clip models as their clip graph.")
        {
            onnx, output, form, size, frames, labels, moduleNames, int8, calibrate, calibrationFrames, calibration, tfliteGraph,
        };
        weights.AddTo(command, plain: false);
        command.SetAction(result => CliErrors.Run(() =>
        {
            if (!result.GetValue(onnx)) throw new CliException("Say which format to write: --onnx (the only export format).");
            string destination = result.GetValue(output)!;
            if (!destination.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new CliException($"--output must name a .onnx file, not '{destination}'.");
            if (result.GetValue(tfliteGraph))
            {
                string source = weights.Path(result);
                if (!source.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase)) throw new CliException($"--tflite-graph translates a .tflite file, not '{source}'.");
                var translated = TfliteOnnxTranslator.Translate(source);
                if (result.GetValue(labels) is { } labelFile)
                    translated.Info = translated.Info with { Labels = LabelFile.Read(labelFile, translated.Info.Classes) };
                translated.Save(destination);
                Console.Error.WriteLine($"wrote {translated.Description} ({translated.Graph.Nodes.Count} nodes, {translated.Info.States.Count} state tensors) to {destination}");
                return 0;
            }
            int? s = result.GetValue(size), f = result.GetValue(frames);
            if (s is < 8) throw new CliException("--size must be at least 8.");
            if (f is < 1) throw new CliException("--frames must be positive.");
            using var loaded = Load(result, weights);
            var model = loaded.Model;
            var names = result.GetValue(labels) is { } labelPath ? LabelFile.Read(labelPath, model.NumClasses) : loaded.Labels;
            var options = new OnnxExportOptions { Height = s, Width = s, Frames = f, Labels = names, OfficialStateNames = !result.GetValue(moduleNames) };
            if (result.GetValue(int8))
            {
                if (result.GetValue(form) is not null) throw new CliException("--int8 writes the ring form (stream models) or the clip graph; leave --form out.");
                int size = s ?? model.Config.Preprocessing.Size, count = result.GetValue(calibrationFrames);
                if (count < 1) throw new CliException("--calibration-frames must be positive.");
                var sources = result.GetValue(calibrate) ?? [];
                var clips = sources.Length == 0 || sources is ["synthetic"]
                    ? CalibrationClips.Synthetic(8, size, count)
                    : CalibrationClips.FromFiles(sources, size, count, model.Config.Preprocessing.Fps);
                var method = result.GetValue(calibration)?.Trim().ToLowerInvariant() switch
                {
                    "minmax" or null => CalibrationMethod.MinMax,
                    "averaged" => CalibrationMethod.AveragedMinMax,
                    var m => throw new CliException($"--calibration must be minmax or averaged, not '{m}'."),
                };
                var quantized = QdqQuantizer.Quantize(model, clips, options, method);
                quantized.Save(destination);
                Console.Error.WriteLine($"wrote {quantized.Description}, int8 QDQ ({quantized.Graph.Nodes.Count(n => n.OpType == "QuantizeLinear")} quantized tensors, " +
                                        $"calibrated on {(sources.Length == 0 ? "synthetic clips" : string.Join(", ", sources))}) to {destination}");
                return 0;
            }
            var forms = Forms(result.GetValue(form), model);
            foreach (var (which, path) in Paths(forms, destination))
            {
                var export = OnnxExporter.Export(model, options with { Form = which });
                export.Save(path);
                Console.Error.WriteLine($"wrote {export.Description} ({export.Info.States.Count} state tensors, " +
                                        $"{export.Graph.Nodes.Count} nodes) to {path}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The weights file, or a registered model with fresh weights when only --model is given.</summary>
    private static LoadedModel Load(ParseResult result, WeightsOptions weights)
    {
        if (result.GetValue(weights.Weights) is not null) return weights.Load(result);
        string name = result.GetValue(weights.Model) ?? throw new CliException("Give --weights FILE, or --model NAME to export a registered architecture with fresh weights.");
        var model = ModelRegistry.Create(name, variant: CliOptions.ParseVariant(result.GetValue(weights.Variant)));
        model.eval();
        Console.Error.WriteLine($"note: no --weights: exporting {model.Config.Id} with fresh (untrained) weights");
        return new LoadedModel(model, null);
    }

    private static IReadOnlyList<OnnxExportForm> Forms(string? text, VideoModel model)
    {
        if (text is null) return model.Streamable ? [OnnxExportForm.StreamPlain, OnnxExportForm.StreamRing] : [OnnxExportForm.Clip];
        try { return [OnnxModelInfo.ParseForm(text, "--form")]; }
        catch (InvalidDataException) { throw new CliException($"--form must be plain, ring or clip, not '{text}'."); }
    }

    private static IEnumerable<(OnnxExportForm Form, string Path)> Paths(IReadOnlyList<OnnxExportForm> forms, string destination)
    {
        for (int i = 0; i < forms.Count; i++)
            yield return (forms[i], i == 0 ? destination
                : Path.Combine(Path.GetDirectoryName(destination) ?? "", $"{Path.GetFileNameWithoutExtension(destination)}.{(forms[i] == OnnxExportForm.StreamRing ? "ring" : "clip")}.onnx"));
    }
}
