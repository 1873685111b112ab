namespace MoViSharp.Families.TSM;

/// <summary>The 2-D image network TSM turns into a video network by shifting channels along time.</summary>
public enum TsmBackbone
{
    /// <summary>torchvision's ResNet (Bottleneck blocks; ResNet-50 = [3, 4, 6, 3]); the shift sits before each block's conv1.</summary>
    ResNet,
    /// <summary>TSM's own MobileNetV2; the shift sits before the expansion conv of every expanding block with an identity shortcut.</summary>
    MobileNetV2,
}

/// <summary>One row of MobileNetV2's table: expansion t, output channels c, blocks n, stride s of the first block.</summary>
public sealed record MobileStage(int Expansion, int Channels, int Repeats, int Stride);
