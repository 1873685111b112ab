using MoViSharp.Models;

namespace MoViSharp.Weights;

/// <summary>
/// What a user says about a weights file that the file itself may not say, applied once by <see cref="CheckpointLoader"/> for
/// every format: which registered model it holds (<paramref name="Model"/>, optionally with a <paramref name="Variant"/> suffix),
/// a custom <paramref name="Architecture"/> for files of models outside the registry, and <paramref name="Adjust"/>, a change to
/// the configuration that keeps every tensor's shape (e.g. another SE gate), after which the model is rebuilt with the same tensors.
/// A hint that contradicts the file is an error, never silently ignored.
/// </summary>
public sealed record CheckpointHints(
    string? Model = null, string? Variant = null, ModelConfig? Architecture = null, Func<ModelConfig, ModelConfig>? Adjust = null);
