using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Search;

/// <summary>
/// A one-shot search's state after a finished epoch: the JSON file (settings, space and cost, checked on resume; epochs and steps
/// done; the controller's logits and baseline; the per-epoch argmax entries and controller steps) and, beside it, a binary file
/// of the supernet's tensors and the AdamW moments, named by epoch. The binary file is written first and the JSON last, each
/// atomically, so a crash leaves either the old pair or the new one; the older binary file is deleted afterwards.
/// </summary>
public static class OneShotState
{
    public const int Version = 1;

    private static string TensorsPath(string statePath, int epochs) => $"{statePath}.epoch{epochs}.bin";

    public static void Save(string path, int epochsDone, int step, OneShotSettings settings, MoViNetSearchSpace space, string costName,
        OneShotSupernet supernet, OptimizerHelper optimizer, ReinforceController controller, List<EvaluatedArchitecture> epochs, List<OneShotStep> steps)
    {
        string tensors = TensorsPath(path, epochsDone);
        AtomicFile.Write(tensors, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            var dict = supernet.state_dict();
            writer.Write(dict.Count);
            foreach (var (name, t) in dict)
            {
                writer.Write(name);
                t.Save(writer);
            }
            optimizer.save_state_dict(writer);
        });
        var o = new JsonObject
        {
            ["version"] = Version, ["algorithm"] = "oneshot", ["cost"] = costName, ["settings"] = settings.ToJson(), ["space"] = space.ToJson(),
            ["epochs_done"] = epochsDone, ["step"] = step, ["tensors"] = Path.GetFileName(tensors), ["controller"] = controller.SaveState(),
            ["epoch_argmax"] = new JsonArray(epochs.Select(e => (JsonNode)e.ToJson()).ToArray()),
            ["steps"] = new JsonArray(steps.Select(s => (JsonNode)s.ToJson()).ToArray()),
        };
        AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (epochsDone > 1 && File.Exists(TensorsPath(path, epochsDone - 1))) File.Delete(TensorsPath(path, epochsDone - 1));
    }

    /// <summary>Restores a saved search into fresh objects; returns the next epoch and step. Refuses a state of another search.</summary>
    public static (int Epoch, int Step) Load(string path, OneShotSettings settings, MoViNetSearchSpace space, string costName,
        OneShotSupernet supernet, OptimizerHelper optimizer, ReinforceController controller, List<EvaluatedArchitecture> epochs, List<OneShotStep> steps)
    {
        var o = Json.Parse(File.ReadAllText(path), path);
        if (Json.Int(o, "version", path) != Version || o["algorithm"]?.GetValue<string>() != "oneshot")
            throw new InvalidDataException($"{path}: not a one-shot search state of version {Version}.");
        var problems = new List<string>();
        if (Json.Required(o, "settings", path).ToJsonString() != settings.ToJson().ToJsonString()) problems.Add("other settings");
        if (Json.Required(o, "space", path).ToJsonString() != space.ToJson().ToJsonString()) problems.Add("another space");
        if (Json.String(o, "cost", path) != costName) problems.Add($"cost {o["cost"]} vs {costName}");
        if (problems.Count > 0)
            throw new InvalidOperationException($"{path} belongs to another search ({string.Join("; ", problems)}); resume with the same options or use another output folder.");
        string tensors = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Json.String(o, "tensors", path));
        if (!File.Exists(tensors)) throw new FileNotFoundException($"{path} names the supernet file '{tensors}', which is missing.", tensors);
        using (var stream = File.OpenRead(tensors))
        using (var reader = new BinaryReader(stream))
        using (no_grad())
        {
            var dict = supernet.state_dict();
            int count = reader.ReadInt32();
            if (count != dict.Count) throw new InvalidDataException($"{tensors}: {count} tensors, the supernet has {dict.Count}.");
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                if (!dict.TryGetValue(name, out var t)) throw new InvalidDataException($"{tensors}: tensor '{name}' is not in the supernet.");
                t.Load(reader);
            }
            optimizer.load_state_dict(reader);
        }
        controller.Restore(Json.Required(o, "controller", path) as JsonObject ?? throw new InvalidDataException($"{path}: 'controller' must be an object."), $"{path}: controller");
        epochs.AddRange(Json.Array(o, "epoch_argmax", path).Select((e, i) => EvaluatedArchitecture.FromJson(e, $"{path}: epoch_argmax[{i}]")));
        steps.AddRange(Json.Array(o, "steps", path).Select((s, i) => OneShotStep.FromJson(s, $"{path}: steps[{i}]")));
        return (Json.Int(o, "epochs_done", path), Json.Int(o, "step", path));
    }
}
