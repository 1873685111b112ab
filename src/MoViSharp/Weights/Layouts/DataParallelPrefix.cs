using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// State dicts saved from a model wrapped in PyTorch's (Distributed)DataParallel name every tensor <c>module.…</c>. Layouts
/// strip the wrapper here (readers never rename), so the same layout reads the bare and the wrapped file.
/// </summary>
public static class DataParallelPrefix
{
    public const string Prefix = "module.";

    /// <summary>The tensors by name without the wrapper's prefix when every name has it; otherwise as they are.</summary>
    public static IReadOnlyDictionary<string, Tensor> Strip(NamedTensors tensors)
    {
        bool wrapped = tensors.Count > 0 && tensors.Names.All(n => n.StartsWith(Prefix, StringComparison.Ordinal));
        return tensors.Names.ToDictionary(n => wrapped ? n[Prefix.Length..] : n, n => tensors[n], StringComparer.Ordinal);
    }
}
