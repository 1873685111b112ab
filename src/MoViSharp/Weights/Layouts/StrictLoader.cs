using MoViSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// One tensor of a checkpoint and where it goes in the model: a model state-dict name, the reshaping into the model's shape
/// and its inverse (for writing the checkpoint's layout back).
/// </summary>
public sealed record KeyMapping(string SourceKey, string ModelKey, Func<Tensor, Tensor>? Transform = null, Func<Tensor, Tensor>? Inverse = null);

/// <summary>
/// Copies checkpoint tensors into a model strictly: every checkpoint tensor must be used and every model parameter and
/// BatchNorm statistic set, with matching shapes; otherwise nothing is half-loaded and the error lists all problems.
/// </summary>
public static class StrictLoader
{
    public static void Load(nn.Module model, IReadOnlyDictionary<string, Tensor> checkpoint, IEnumerable<KeyMapping> mappings, string source)
    {
        var targets = model.state_dict();
        var mappingList = mappings.ToList();
        var missing = new List<string>();
        var shapes = new List<string>();
        var ready = new List<(Tensor Target, Tensor Value)>();
        using var scope = NewDisposeScope();
        foreach (var m in mappingList)
        {
            if (!targets.TryGetValue(m.ModelKey, out var target))
                throw new InvalidOperationException($"Layout names '{m.ModelKey}', which the model does not have.");
            if (!checkpoint.TryGetValue(m.SourceKey, out var value)) { missing.Add(m.SourceKey); continue; }
            var shaped = m.Transform is null ? value : m.Transform(value);
            if (!shaped.shape.SequenceEqual(target.shape))
            {
                shapes.Add($"{m.SourceKey} is [{string.Join(", ", value.shape)}], expected [{string.Join(", ", target.shape)}] for {m.ModelKey}");
                continue;
            }
            ready.Add((target, shaped));
        }
        var mappedSources = mappingList.Select(m => m.SourceKey).ToHashSet(StringComparer.Ordinal);
        var unexpected = checkpoint.Keys.Where(k => !mappedSources.Contains(k)).ToList();
        var unmappedTargets = targets.Keys.Except(mappingList.Select(m => m.ModelKey), StringComparer.Ordinal).ToList();
        if (unmappedTargets.Count > 0)
            throw new InvalidOperationException($"Layout leaves model tensors unset: {string.Join(", ", unmappedTargets)}.");
        if (missing.Count + unexpected.Count + shapes.Count > 0)
            throw new CheckpointMismatchException(source, missing, unexpected, shapes);
        using (no_grad())
            foreach (var (target, value) in ready) target.copy_(value.to_type(target.dtype));
    }

    /// <summary>Builds <paramref name="config"/> with its family and loads it strictly (nothing is returned half-loaded); eval mode.</summary>
    public static VideoModel Build(ModelConfig config, IReadOnlyDictionary<string, Tensor> checkpoint,
        Func<VideoModel, IEnumerable<KeyMapping>> mappings, string source)
    {
        var model = ModelRegistry.Build(config);
        try
        {
            Load(model, checkpoint, mappings(model), source);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>The model's tensors under the checkpoint layout's names and shapes (the inverse of <see cref="Load"/>).</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> Export(nn.Module model, IEnumerable<KeyMapping> mappings)
    {
        var tensors = model.state_dict();
        foreach (var m in mappings)
        {
            var value = tensors[m.ModelKey].detach();
            yield return (m.SourceKey, (m.Inverse is null ? value : m.Inverse(value)).cpu().contiguous());
        }
    }

    /// <summary>Identity mapping: the checkpoint uses the model's own state-dict names (MoViSharp checkpoints).</summary>
    public static IEnumerable<KeyMapping> SameNames(nn.Module model) => model.state_dict().Keys.Select(k => new KeyMapping(k, k));
}
