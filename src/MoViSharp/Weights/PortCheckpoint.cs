using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;

namespace MoViSharp.Weights;

/// <summary>
/// Checkpoints in the PyTorch port's layout (its `torch.save(model.state_dict())` files, or the same keys in safetensors):
/// builds the named architecture with the port's semantics and loads it strictly.
/// </summary>
public static class PortCheckpoint
{
    /// <param name="tensors">the file's tensors (port key names)</param>
    /// <param name="modelName">a0…a5 (the file does not say which)</param>
    /// <param name="variant">base or stream; detected from the keys when null</param>
    /// <param name="gate">override of the SE gate (the port's stream checkpoints need clip(0.2x+0.5, 0, 1))</param>
    public static MoViNet Load(NamedTensors tensors, string source, string modelName, MoViNetVariant? variant = null, GateKind? gate = null)
    {
        var detected = DetectVariant(tensors, source, variant);
        return Load(tensors, source, ModelRegistry.Config(modelName, detected, Classes(tensors, source, detected)), gate);
    }

    /// <summary>Loads port weights into an explicit architecture (its variant and classes must match the file).</summary>
    public static MoViNet Load(NamedTensors tensors, string source, MoViNetConfig architecture, GateKind? gate = null)
    {
        var detected = DetectVariant(tensors, source, architecture.Variant);
        int classes = Classes(tensors, source, detected);
        var config = PortLayout.Config(architecture with { NumClasses = classes });
        if (gate is { } g) config = config with { Gate = g };
        CheckpointArchitecture.CheckFitsFile(config, tensors, source);
        return StrictLoader.Build(config, tensors.Names.ToDictionary(n => n, n => tensors[n]), PortLayout.Mappings, source);
    }

    private static MoViNetVariant DetectVariant(NamedTensors tensors, string source, MoViNetVariant? variant)
    {
        var detected = PortLayout.DetectVariant(tensors.Names)
            ?? throw new CheckpointFormatException(source, "keys", $"{source} is not in the PyTorch port's layout (no 'conv1.conv_1.conv3d/conv2d' stem).");
        if (variant is { } v && v != detected)
            throw new CheckpointFormatException(source, "keys", $"{source} holds a {detected.ToString().ToLowerInvariant()} model (its convs are " +
                $"{(detected == MoViNetVariant.Base ? "conv3d" : "conv2d")}), not {v.ToString().ToLowerInvariant()}.");
        return detected;
    }

    private static int Classes(NamedTensors tensors, string source, MoViNetVariant variant)
    {
        string key = $"classifier.3.conv_1.{(variant == MoViNetVariant.Base ? "conv3d" : "conv2d")}.weight";
        if (!tensors.TryGetValue(key, out var logits))
            throw new CheckpointFormatException(source, key, $"{source} has no '{key}' (the classifier), so it is not a complete port checkpoint.");
        // The class count sizes the model we build: it must come from a real kernel [classes, hidden, …].
        if (logits.dim() < 2 || logits.shape[0] is < 1 or > CheckpointArchitecture.MaxClasses)
            throw new CheckpointFormatException(source, key,
                $"{source}: '{key}' has shape [{string.Join(", ", logits.shape)}]; the classifier kernel needs [classes, hidden, …] with 1 to {CheckpointArchitecture.MaxClasses} classes.");
        return (int)logits.shape[0];
    }

    /// <summary>The model's tensors under the port's names and shapes.</summary>
    public static NamedTensors Export(MoViNet model)
    {
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, PortLayout.Mappings(model))) result.Add(name, tensor.clone());
        return result;
    }
}
