using MoViSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>
/// Starts a model from another's weights with a new head for other classes, for any family: the configuration is rebuilt with
/// the new number of classes (and any other changes that keep tensor shapes, e.g. dropout), every tensor is copied except the
/// ones whose first dimension is the class count (the classifier's last layer), which keep their fresh initialisation.
/// </summary>
public static class FineTuning
{
    public static VideoModel WithNewHead(VideoModel source, int numClasses, Func<ModelConfig, ModelConfig>? customize = null)
    {
        var config = source.Config with { NumClasses = numClasses };
        if (customize is not null) config = customize(config);
        var model = ModelRegistry.Build(config);
        try { CopyWeights(source, model, skipHead: numClasses != source.NumClasses); }
        catch { model.Dispose(); throw; }
        return model;
    }

    /// <summary>
    /// Copies every parameter and buffer of <paramref name="source"/> into <paramref name="target"/> (same architecture); with
    /// <paramref name="skipHead"/>, tensors that differ only in their first dimension, from the source's class count to the
    /// target's, are left as they are.
    /// </summary>
    public static void CopyWeights(VideoModel source, VideoModel target, bool skipHead = false)
    {
        var from = source.state_dict();
        using var _ = no_grad();
        foreach (var (name, tensor) in target.state_dict())
        {
            if (!from.TryGetValue(name, out var value))
                throw new InvalidOperationException($"The source model has no tensor '{name}'; its architecture differs from the target's.");
            if (value.shape.SequenceEqual(tensor.shape)) { tensor.copy_(value); continue; }
            bool isHead = skipHead && value.dim() == tensor.dim() && value.shape[0] == source.NumClasses && tensor.shape[0] == target.NumClasses
                          && value.shape.Skip(1).SequenceEqual(tensor.shape.Skip(1));
            if (!isHead)
                throw new InvalidOperationException($"Tensor '{name}' is [{string.Join(", ", value.shape)}] in the source, [{string.Join(", ", tensor.shape)}] in the target.");
        }
    }
}
