namespace MoViSharp.Models;

/// <summary>
/// How frames must be prepared for a model, as its training recipe did: decoded RGB scaled to [0, 1], the short side resized to
/// <see cref="ResizeShortSide"/> (or straight to the crop when null), a centred <see cref="Size"/>² crop, then per-channel
/// (x − mean)/std. Clips hold <see cref="Frames"/> frames taken every <see cref="FrameStride"/>-th frame of the video resampled to
/// <see cref="Fps"/> (when set). Every command that decodes video applies it, through one frame → tensor conversion.
/// </summary>
public sealed record Preprocessing
{
    /// <summary>Frames of one clip (the native clip of a clip model; the training clip of a stream model).</summary>
    public required int Frames { get; init; }

    /// <summary>The square crop the model sees.</summary>
    public required int Size { get; init; }

    /// <summary>Resize the short side to this before the centre crop; null resizes the centred square straight to <see cref="Size"/>.</summary>
    public int? ResizeShortSide { get; init; }

    /// <summary>Resize every frame to exactly this height × width (aspect not kept) before the centre crop, e.g. torchvision's
    /// 128×171 for R(2+1)D; takes precedence over <see cref="ResizeShortSide"/>.</summary>
    public (int Height, int Width)? ResizeTo { get; init; }

    /// <summary>Resample the video to this rate first (null: its own rate).</summary>
    public double? Fps { get; init; }

    /// <summary>Take every n-th frame.</summary>
    public int FrameStride { get; init; } = 1;

    /// <summary>The network's input is (x·<see cref="ValueScale"/> − mean)/std for x in [0, 1]: 1 for most families, 255 for
    /// models trained on raw 0…255 values (the C3D conversion); mean and std are in the scaled units.</summary>
    public float ValueScale { get; init; } = 1f;

    public IReadOnlyList<float> Mean { get; init; } = [0f, 0f, 0f];
    public IReadOnlyList<float> Std { get; init; } = [1f, 1f, 1f];

    /// <summary>True when (x·scale − mean)/std changes anything.</summary>
    public bool Normalizes => ValueScale != 1f || Mean.Any(m => m != 0f) || Std.Any(s => s != 1f);
}
