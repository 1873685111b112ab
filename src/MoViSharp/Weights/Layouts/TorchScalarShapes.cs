using static TorchSharp.torch;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// PyTorch's load_state_dict reads a one-element 1-D tensor into a 0-D parameter or buffer (old files, and numpy-built ones,
/// store scalars such as BatchNorm's <c>num_batches_tracked</c> as [1]). Layouts that want the same leniency wrap their
/// mappings with <see cref="Lenient"/>; export still writes the 0-D shape PyTorch's own state dicts have.
/// </summary>
public static class TorchScalarShapes
{
    public static IEnumerable<KeyMapping> Lenient(IEnumerable<KeyMapping> mappings) => mappings.Select(m =>
        m.ModelKey.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && m.Transform is null
            ? m with { Transform = t => t.dim() == 1 && t.shape[0] == 1 ? t.reshape(Array.Empty<long>()) : t }
            : m);
}
