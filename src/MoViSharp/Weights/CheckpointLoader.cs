using MoViSharp.Families.MoViNets;
using MoViSharp.Labels;
using MoViSharp.Models;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;

namespace MoViSharp.Weights;

/// <summary>
/// Opens any supported weights file and returns a ready model (eval mode) with the labels the file carries: MoViSharp
/// safetensors checkpoints (self-describing, any family), upstream state dicts (torch.save files or safetensors) in any layout a
/// registered family declares (<see cref="IModelFamily.Layouts"/>), and the mobile MoViNet TFLite models. The format is
/// recognised from the file's bytes. The user's <see cref="CheckpointHints"/> are applied here, once, for every format.
/// Errors from the file's content are <see cref="CheckpointFormatException"/>, <see cref="CheckpointNotSupportedException"/> or
/// <see cref="CheckpointMismatchException"/> (docs/fuzzing.md); <see cref="ArgumentException"/> means the hints.
/// </summary>
public static class CheckpointLoader
{
    public static LoadedModel Load(string path, CheckpointHints? hints = null)
    {
        hints ??= new CheckpointHints();
        var format = CheckpointFormats.Detect(path);
        LoadedModel loaded;
        try
        {
            loaded = format switch
            {
                CheckpointFormat.SafeTensors => FromSafeTensors(path, hints),
                // One reader for both torch.save formats (zip, and the legacy one of PyTorch < 1.6 that TSM and C3D files use).
                CheckpointFormat.TorchZip or CheckpointFormat.TorchLegacy => FromUpstream(ReadTorch(path), path, hints),
                CheckpointFormat.Tflite => new LoadedModel(TfliteMoViNetImporter.Load(path, Architecture(hints)), null),
                _ when path.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase) => throw new CheckpointFormatException(path, "magic",
                    $"{path} is named .tflite but is not a TFLite model (no 'TFL3' identifier at byte 4)."),
                _ => throw new CheckpointFormatException(path, "magic",
                    $"{path} is not a weights file MoViSharp reads (expected a torch.save zip or legacy file, a safetensors file or a TFLite model)."),
            };
        }
        catch (InvalidDataException e)
        {
            // Layouts and config readers say "these tensors or this config do not describe the model" with InvalidDataException;
            // at the loader's boundary that is a format error of the file, as the readers' contract states.
            throw new CheckpointFormatException(path, "model", e.Message, e);
        }
        try
        {
            CheckHints(loaded.Model.Config, hints, path);
            var model = Adjusted(loaded.Model, hints.Adjust);
            return new LoadedModel(model, loaded.Labels ?? ShippedLabels(model.Config));
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>Loads a MoViSharp checkpoint from a stream (e.g. an embedded resource); <paramref name="source"/> names it in errors.</summary>
    public static LoadedModel LoadMoViSharp(Stream stream, string source)
    {
        using var file = SafeTensorsFile.Read(stream, source);
        return MoViSharpCheckpoint.FromTensors(file, source);
    }

    private static NamedTensors ReadTorch(string path) => TorchCheckpointReader.Read(path);

    private static LoadedModel FromSafeTensors(string path, CheckpointHints hints)
    {
        using var file = SafeTensorsFile.Read(path);
        if (MoViSharpCheckpoint.IsCheckpoint(file)) return MoViSharpCheckpoint.FromTensors(file, path);
        return FromUpstreamOwned(file, path, hints);
    }

    private static LoadedModel FromUpstream(NamedTensors tensors, string path, CheckpointHints hints)
    {
        using (tensors) return FromUpstreamOwned(tensors, path, hints);
    }

    /// <summary>Finds the registered layout the tensors follow (the hinted model's family first) and loads strictly.</summary>
    private static LoadedModel FromUpstreamOwned(NamedTensors tensors, string path, CheckpointHints hints)
    {
        var preferred = hints.Architecture?.Family ?? (hints.Model is { } m && ModelRegistry.TryEntry(m, out var e) ? e.Family : null);
        var layouts = ModelRegistry.AllFamilies
            .OrderBy(f => string.Equals(f.Name, preferred, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .SelectMany(f => f.Layouts)
            .ToList();
        var layout = layouts.FirstOrDefault(l => l.Matches(tensors, hints))
            ?? throw new CheckpointFormatException(path, "keys", $"{path}: its {tensors.Count} tensors (e.g. '{tensors.Names.FirstOrDefault()}') follow no checkpoint layout MoViSharp knows " +
                $"({string.Join(", ", layouts.Select(l => l.Name))}); a MoViSharp checkpoint needs 'format' metadata.");
        return new LoadedModel(layout.Load(tensors, path, hints), null);
    }

    /// <summary>The MoViNet architecture a TFLite file should be imported as: the hinted one, else A0.</summary>
    private static string Architecture(CheckpointHints hints)
    {
        if (hints.Architecture is not null) throw new ArgumentException("TFLite models are imported by their graph; --config does not apply.");
        if (hints.Model is null) return "a0";
        var entry = ModelRegistry.Entry(hints.Model);
        return entry.Config is MoViNetConfig movinet ? movinet.Name
            : throw new ArgumentException($"TFLite files hold mobile MoViNet stream models, not '{entry.Name}' ({entry.Family}).");
    }

    /// <summary>Refuses a file whose model contradicts the user's --model / --variant / --config.</summary>
    private static void CheckHints(ModelConfig config, CheckpointHints hints, string path)
    {
        if (hints.Model is { } name)
        {
            var wanted = ModelRegistry.Entry(name, hints.Variant).Config;
            if (!string.Equals(wanted.Family, config.Family, StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"{path} holds a {config.Family} model ({config.Id}), not '{name}' ({wanted.Family}).");
            if (!string.Equals(wanted.Name, config.Name, StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"{path} holds model '{config.Name}' ({config.Id}), not '{wanted.Name}'.");
            if (!string.Equals(wanted.Id, config.Id, StringComparison.OrdinalIgnoreCase) && (hints.Variant is not null || name.Contains('-')))
                throw new ArgumentException($"{path} holds {config.Id}, not {wanted.Id}.");
        }
        else if (hints.Variant is { } variant && !config.Id.EndsWith("-" + variant, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{path} holds {config.Id}, not a {variant} model.");
        if (hints.Architecture is { } architecture && !string.Equals(architecture.Family, config.Family, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{path} holds a {config.Family} model, but the given config is a {architecture.Family} model.");
    }

    /// <summary>Applies a shape-preserving configuration change by rebuilding the model with the same tensors.</summary>
    private static VideoModel Adjusted(VideoModel model, Func<ModelConfig, ModelConfig>? adjust)
    {
        if (adjust is null) return model;
        var config = adjust(model.Config);
        if (config == model.Config) return model;
        var rebuilt = ModelRegistry.Build(config);
        try
        {
            StrictLoader.Load(rebuilt, model.state_dict(), StrictLoader.SameNames(rebuilt), $"{model.Config.Id} with the requested change");
        }
        catch
        {
            rebuilt.Dispose();
            throw;
        }
        rebuilt.eval();
        model.Dispose();
        return rebuilt;
    }

    /// <summary>The class names of the model's registered label set, when they ship with the library and fit.</summary>
    public static IReadOnlyList<string>? ShippedLabels(ModelConfig config)
    {
        if (!ModelRegistry.TryEntry(config.Id, out var entry) && !ModelRegistry.TryEntry(config.Name, out entry)) return null;
        var labels = LabelSets.TryGet(entry.Weights?.LabelSet);
        return labels is not null && labels.Count == config.NumClasses ? labels : null;
    }
}
