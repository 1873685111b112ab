namespace MoViSharp.Families.MViT;

/// <summary>The T × H × W grid of patch tokens (the class token comes before them).</summary>
public readonly record struct TokenGrid(int Time, int Height, int Width)
{
    public int Count => Time * Height * Width;

    /// <summary>The grid after a pooling or convolution window with PyTorch's floor arithmetic (n + 2p − k)/s + 1.</summary>
    public TokenGrid After((int Time, int Height, int Width) kernel, (int Time, int Height, int Width) stride, (int Time, int Height, int Width) padding) => new(
        (Time + 2 * padding.Time - kernel.Time) / stride.Time + 1,
        (Height + 2 * padding.Height - kernel.Height) / stride.Height + 1,
        (Width + 2 * padding.Width - kernel.Width) / stride.Width + 1);

    public override string ToString() => $"{Time}×{Height}×{Width}";
}
