namespace MoViSharp.Families.MoViNets;

/// <summary>A stage (TF "block") of bottleneck layers; only layer 0 is strided, and only spatially.</summary>
public sealed record StageSpec(int OutChannels, int Stride, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>Parses "expand txkxk, …", e.g. "80 3x3x3, 80 3x3x3".</summary>
    public static StageSpec Parse(int outChannels, int stride, string layers) => new(outChannels, stride,
        layers.Split(',', StringSplitOptions.TrimEntries).Select(layer =>
        {
            var parts = layer.Split(' ');
            var kernel = parts[1].Split('x').Select(int.Parse).ToArray();
            if (kernel[1] != kernel[2]) throw new FormatException($"Kernel '{parts[1]}' is not square.");
            return new LayerSpec(int.Parse(parts[0]), kernel[0], kernel[1]);
        }).ToList());
}
