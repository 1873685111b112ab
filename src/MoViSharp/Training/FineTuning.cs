using MoViSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>
/// Starts a model from another's weights with a new head for other classes: the config is rebuilt with the new number of classes
/// (and any other changes that keep tensor shapes, e.g. dropout), every tensor but <c>classifier.logits</c> is copied, and the new
/// logits layer keeps its fresh initialisation.
/// </summary>
public static class FineTuning
{
    public const string HeadPrefix = "classifier.logits.";

    public static MoViNet WithNewHead(MoViNet source, int numClasses, Func<MoViNetConfig, MoViNetConfig>? customize = null)
    {
        var config = source.Config with { NumClasses = numClasses };
        if (customize is not null) config = customize(config);
        var model = new MoViNet(config);
        CopyWeights(source, model, skipHead: numClasses != source.Config.NumClasses);
        return model;
    }

    /// <summary>Copies every parameter and buffer of <paramref name="source"/> into <paramref name="target"/> (same architecture).</summary>
    public static void CopyWeights(MoViNet source, MoViNet target, bool skipHead = false)
    {
        var from = source.state_dict();
        using var _ = no_grad();
        foreach (var (name, tensor) in target.state_dict())
        {
            if (skipHead && name.StartsWith(HeadPrefix, StringComparison.Ordinal)) continue;
            if (!from.TryGetValue(name, out var value))
                throw new InvalidOperationException($"The source model has no tensor '{name}'; its architecture differs from the target's.");
            if (!value.shape.SequenceEqual(tensor.shape))
                throw new InvalidOperationException($"Tensor '{name}' is [{string.Join(", ", value.shape)}] in the source, [{string.Join(", ", tensor.shape)}] in the target.");
            tensor.copy_(value);
        }
    }
}
