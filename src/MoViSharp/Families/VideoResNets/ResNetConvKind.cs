namespace MoViSharp.Families.VideoResNets;

/// <summary>The convolution a video ResNet layer uses in its blocks (torchvision's "conv makers").</summary>
public enum ResNetConvKind
{
    /// <summary>Full 3×3×3 conv, stride s in time and space (R3D; MC3's first layer).</summary>
    ThreeD,
    /// <summary>1×3×3 conv, spatial stride only: the mixed convolutions of MC3's layers 2–4.</summary>
    NoTemporal,
    /// <summary>(2+1)D: 1×3×3 conv to M channels → BN → ReLU → 3×1×1 conv, stride s in time and space (R(2+1)D).</summary>
    TwoPlusOneD,
}

/// <summary>The stem of a video ResNet.</summary>
public enum VideoResNetStem
{
    /// <summary>3×7×7 conv, stride (1,2,2), padding (1,3,3) → BN → ReLU (R3D, MC3).</summary>
    Basic,
    /// <summary>1×7×7 conv to 45 channels, stride (1,2,2) → BN → ReLU → 3×1×1 conv → BN → ReLU (R(2+1)D).</summary>
    TwoPlusOneD,
}
