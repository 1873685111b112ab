using MoViSharp.Layers;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// Key mappings of a PyTorch convolution and the BatchNorm after it onto one <see cref="ConvUnit"/> (which holds both): the
/// conv's <c>weight</c> (and <c>bias</c> when the unit has one) and the five BatchNorm entries (<c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>) at their own module paths, e.g. torchvision's
/// <c>Conv3dNormActivation</c> at <c>P</c> is <c>P.0.weight</c> and <c>P.1.*</c>. Layouts of every family that mirror PyTorch
/// modules use it.
/// </summary>
public static class TorchConvNormKeys
{
    public static readonly IReadOnlyList<string> BatchNormEntries = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];

    /// <summary>
    /// The mappings of the conv at <paramref name="convKey"/> and the BatchNorm at <paramref name="normKey"/> onto the unit at
    /// <paramref name="unitPath"/>; <paramref name="toModel"/>/<paramref name="toCheckpoint"/> reshape the weight (e.g. a Linear's
    /// [O, I] to the unit's [O, I, 1, 1, 1]) and back.
    /// </summary>
    public static IEnumerable<KeyMapping> Map(string convKey, string? normKey, string unitPath, ConvUnit unit,
        Func<Tensor, Tensor>? toModel = null, Func<Tensor, Tensor>? toCheckpoint = null)
    {
        yield return new KeyMapping($"{convKey}.weight", $"{unitPath}.weight", toModel, toCheckpoint);
        if (unit.Bias is not null) yield return new KeyMapping($"{convKey}.bias", $"{unitPath}.bias");
        if (unit.Norm is null) yield break;
        if (normKey is null) throw new ArgumentException($"{unitPath} has a BatchNorm but the layout names none for '{convKey}'.");
        foreach (var entry in BatchNormEntries) yield return new KeyMapping($"{normKey}.{entry}", $"{unitPath}.bn.{entry}");
    }
}
