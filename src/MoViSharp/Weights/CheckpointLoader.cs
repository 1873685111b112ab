using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Weights;

/// <summary>What a user says about a weights file that the file itself may not say (the port's files name no architecture).</summary>
/// <param name="Architecture">a custom architecture (e.g. from a config JSON) for port files of models outside the registry</param>
public sealed record CheckpointHints(string? Model = null, MoViNetVariant? Variant = null, GateKind? Gate = null, MoViNetConfig? Architecture = null);

/// <summary>
/// Opens any supported weights file and returns a ready model (eval mode) with the labels the file carries:
/// MoViSharp safetensors checkpoints (self-describing), PyTorch-port state dicts as torch.save zips or safetensors, and the
/// mobile MoViNet TFLite models (imported by following their graph).
/// The format is recognised from the file's bytes.
/// Errors from the file's content are <see cref="CheckpointFormatException"/>, <see cref="CheckpointNotSupportedException"/> or
/// <see cref="Layouts.CheckpointMismatchException"/> (docs/fuzzing.md); <see cref="ArgumentException"/> means the hints.
/// </summary>
public static class CheckpointLoader
{
    public static (MoViNet Model, IReadOnlyList<string>? Labels) Load(string path, CheckpointHints? hints = null)
    {
        hints ??= new CheckpointHints();
        var format = CheckpointFormats.Detect(path);
        switch (format)
        {
            case CheckpointFormat.SafeTensors:
            {
                using var file = SafeTensorsFile.Read(path);
                if (MoViSharpCheckpoint.IsCheckpoint(file))
                {
                    var (model, labels) = MoViSharpCheckpoint.FromTensors(file, path);
                    CheckHints(model.Config, hints, path);
                    return (WithGate(model, hints.Gate), labels);
                }
                return (PortModel(file, path, hints), null);
            }
            case CheckpointFormat.TorchZip:
            case CheckpointFormat.TorchLegacy: // one reader for both torch.save formats
            {
                using var file = TorchCheckpointReader.Read(path);
                return (PortModel(file, path, hints), null);
            }
            case CheckpointFormat.Tflite:
                return (WithGate(Layouts.TfliteMoViNetImporter.Load(path), hints.Gate), null);
            default:
                if (path.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase))
                    throw new CheckpointFormatException(path, "magic", $"{path} is named .tflite but is not a TFLite model (no 'TFL3' identifier at byte 4).");
                throw new CheckpointFormatException(path, "magic", $"{path} is not a weights file MoViSharp reads (expected a torch.save zip or legacy file, a safetensors file or a TFLite model).");
        }
    }

    private static MoViNet PortModel(NamedTensors file, string path, CheckpointHints hints)
    {
        if (hints.Architecture is { } architecture) return PortCheckpoint.Load(file, path, architecture, hints.Gate);
        if (hints.Model is null)
            throw new ArgumentException($"{path} holds PyTorch-port weights, which do not name their architecture: pass --model (a0 … a5) or --config.");
        var (name, suffixVariant) = ModelRegistry.Parse(hints.Model);
        return PortCheckpoint.Load(file, path, name, hints.Variant ?? suffixVariant, hints.Gate);
    }

    /// <summary>The gate has no weights: a requested gate rebuilds the model with it and the same tensors.</summary>
    private static MoViNet WithGate(MoViNet model, GateKind? gate)
    {
        if (gate is not { } g || model.Config.Gate == g) return model;
        var regated = new MoViNet(model.Config with { Gate = g });
        regated.load_state_dict(model.state_dict());
        regated.eval();
        model.Dispose();
        return regated;
    }

    private static void CheckHints(MoViNetConfig config, CheckpointHints hints, string path)
    {
        if (hints.Variant is { } v && v != config.Variant)
            throw new ArgumentException($"{path} holds a {config.Variant.ToString().ToLowerInvariant()} model, not {v.ToString().ToLowerInvariant()}.");
        if (hints.Model is { } m && ModelRegistry.Parse(m).Model != config.Name)
            throw new ArgumentException($"{path} holds model '{config.Name}', not '{m}'.");
    }
}
