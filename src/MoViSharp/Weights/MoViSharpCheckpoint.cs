using System.Text.Json;
using MoViSharp.Models;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Weights;

/// <summary>
/// MoViSharp's own checkpoint: a safetensors file with the model's state-dict names (parameters and BatchNorm statistics)
/// and metadata that rebuilds the model alone: <c>format</c>, <c>model</c>, <c>variant</c>, <c>classes</c>, <c>config</c>
/// (<see cref="MoViNetConfigJson"/>) and <c>labels</c> (a JSON array), plus any extra entries (e.g. training provenance).
/// </summary>
public static class MoViSharpCheckpoint
{
    public const string FormatValue = "movisharp/1";

    public static void Save(string path, MoViNet model, IReadOnlyList<string>? labels = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        if (labels is not null && labels.Count != model.Config.NumClasses)
            throw new ArgumentException($"{labels.Count} labels given for a model with {model.Config.NumClasses} classes.", nameof(labels));
        using var tensors = new NamedTensors();
        tensors.SetMetadata("format", FormatValue);
        tensors.SetMetadata("model", model.Config.Name);
        tensors.SetMetadata("variant", model.Config.Variant.ToString().ToLowerInvariant());
        tensors.SetMetadata("classes", model.Config.NumClasses.ToString());
        tensors.SetMetadata("config", MoViNetConfigJson.Write(model.Config));
        if (labels is not null) tensors.SetMetadata("labels", JsonSerializer.Serialize(labels));
        if (extra is not null) foreach (var (k, v) in extra) tensors.SetMetadata(k, v);
        using (no_grad())
            foreach (var (name, tensor) in model.state_dict())
                tensors.Add(name, tensor.detach().cpu().contiguous().clone());
        SafeTensorsFile.Write(path, tensors);
    }

    /// <summary>True when the safetensors metadata says the file is a MoViSharp checkpoint.</summary>
    public static bool IsCheckpoint(NamedTensors file) => file.Metadata.TryGetValue("format", out var f) && f.StartsWith("movisharp/", StringComparison.Ordinal);

    /// <summary>Rebuilds and strictly loads the model a MoViSharp checkpoint describes.</summary>
    public static (MoViNet Model, IReadOnlyList<string>? Labels) Load(string path)
    {
        using var file = SafeTensorsFile.Read(path);
        return FromTensors(file, path);
    }

    public static (MoViNet Model, IReadOnlyList<string>? Labels) FromTensors(NamedTensors file, string source)
    {
        if (!IsCheckpoint(file) || !file.Metadata.TryGetValue("config", out var configJson))
            throw new CheckpointFormatException(source, "config", $"{source} is a safetensors file but not a MoViSharp checkpoint (no 'format'/'config' metadata); " +
                                                                  "convert it with `movisharp convert` first.");
        var config = CheckpointArchitecture.ReadConfig(configJson, source);
        IReadOnlyList<string>? labels = null;
        if (file.Metadata.TryGetValue("labels", out var labelJson))
        {
            try { labels = JsonSerializer.Deserialize<List<string>>(labelJson); }
            catch (JsonException e) { throw new CheckpointFormatException(source, "labels", $"the 'labels' metadata is not a JSON list of strings ({e.Message})."); }
            if (labels is not null && labels.Any(l => l is null))
                throw new CheckpointFormatException(source, "labels", "the 'labels' metadata holds null where a label should be.");
            if (labels is not null && labels.Count != config.NumClasses)
                throw new CheckpointFormatException(source, "labels", $"{labels.Count} labels for {config.NumClasses} classes.");
        }
        CheckpointArchitecture.CheckFitsFile(config, file, source);
        return (StrictLoader.Build(config, file.Names.ToDictionary(n => n, n => file[n]), StrictLoader.SameNames, source), labels);
    }
}
