namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// The published torchvision video ResNets (torchvision.models.video: r3d_18, mc3_18, r2plus1d_18): 18 layers, BasicBlocks
/// [2, 2, 2, 2] of widths 64/128/256/512, strides 1/2/2/2, Kinetics-400 heads.
/// </summary>
public static class VideoResNetSpecs
{
    public static readonly IReadOnlyList<string> Names = ["r3d_18", "mc3_18", "r2plus1d_18"];

    public static VideoResNetConfig Get(string name) => name switch
    {
        "r3d_18" => new VideoResNetConfig
        {
            Name = name, NumClasses = 400, Stem = VideoResNetStem.Basic, ConvKinds = [.. Enumerable.Repeat(ResNetConvKind.ThreeD, 4)],
        },
        "mc3_18" => new VideoResNetConfig
        {
            Name = name, NumClasses = 400, Stem = VideoResNetStem.Basic,
            ConvKinds = [ResNetConvKind.ThreeD, ResNetConvKind.NoTemporal, ResNetConvKind.NoTemporal, ResNetConvKind.NoTemporal],
        },
        "r2plus1d_18" => new VideoResNetConfig
        {
            Name = name, NumClasses = 400, Stem = VideoResNetStem.TwoPlusOneD, ConvKinds = [.. Enumerable.Repeat(ResNetConvKind.TwoPlusOneD, 4)],
        },
        _ => throw new ArgumentException($"Unknown video ResNet '{name}' (known: {string.Join(", ", Names)})."),
    };
}
