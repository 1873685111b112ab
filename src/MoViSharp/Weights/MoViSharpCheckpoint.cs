using System.Text.Json;
using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Weights;

/// <summary>
/// MoViSharp's own checkpoint, for every family: a safetensors file with the model's state-dict names (parameters and BatchNorm
/// statistics) and metadata that rebuilds the model alone: <c>format</c>, <c>family</c>, <c>model</c>, <c>id</c>, <c>classes</c>,
/// <c>config</c> (the family's JSON) and <c>labels</c> (a JSON array), plus any extra entries (e.g. training provenance).
/// Files written before families existed have no <c>family</c>: they are MoViNets.
/// </summary>
public static class MoViSharpCheckpoint
{
    public const string FormatValue = "movisharp/1";

    public static void Save(string path, VideoModel model, IReadOnlyList<string>? labels = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var config = model.Config;
        if (labels is not null && labels.Count != config.NumClasses)
            throw new ArgumentException($"{labels.Count} labels given for a model with {config.NumClasses} classes.", nameof(labels));
        using var tensors = new NamedTensors();
        tensors.SetMetadata("format", FormatValue);
        tensors.SetMetadata("family", config.Family);
        tensors.SetMetadata("model", config.Name);
        tensors.SetMetadata("id", config.Id);
        if (config is MoViNetConfig movinet) tensors.SetMetadata("variant", movinet.Variant.ToString().ToLowerInvariant());
        tensors.SetMetadata("classes", config.NumClasses.ToString());
        tensors.SetMetadata("config", ModelRegistry.Family(config.Family).WriteConfig(config));
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
    public static LoadedModel Load(string path)
    {
        using var file = SafeTensorsFile.Read(path);
        return FromTensors(file, path);
    }

    public static LoadedModel FromTensors(NamedTensors file, string source)
    {
        if (!IsCheckpoint(file) || !file.Metadata.TryGetValue("config", out var configJson))
            throw new CheckpointFormatException(source, "config", $"{source} is a safetensors file but not a MoViSharp checkpoint (no 'format'/'config' metadata); " +
                                                                  "convert it with `movisharp convert` first.");
        string familyName = file.Metadata.TryGetValue("family", out var f) ? f : MoViNetFamily.FamilyName;
        IModelFamily family;
        try { family = ModelRegistry.Family(familyName); }
        catch (ArgumentException e) { throw new CheckpointFormatException(source, "family", e.Message); }
        ModelConfig config;
        try
        {
            // MoViNet configs are checked field by field and bounded before anything is built (the fuzzed path).
            config = family is MoViNetFamily ? CheckpointArchitecture.ReadConfig(configJson, source) : family.ReadConfig(configJson, source);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        { throw new CheckpointFormatException(source, "config", $"the 'config' metadata does not describe a {familyName} model ({e.Message})", e); }
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
        if (config is MoViNetConfig movinet) CheckpointArchitecture.CheckFitsFile(movinet, file, source);
        var model = StrictLoader.Build(config, file.Names.ToDictionary(n => n, n => file[n]), StrictLoader.SameNames, source);
        return new LoadedModel(model, labels);
    }
}
