namespace MoViSharp.Video;

/// <summary>How ffmpeg turns an input into model frames: output size, crop, frame-rate subsampling, limits, raw-input format.</summary>
public sealed record VideoSourceOptions
{
    /// <summary>Output frame width in pixels.</summary>
    public int Width { get; init; } = 172;

    /// <summary>Output frame height in pixels.</summary>
    public int Height { get; init; } = 172;

    /// <summary>
    /// Crop the largest centred region with the output's aspect ratio before resizing (for a square output: a centred
    /// min(w,h) square), so that frames are not distorted. When false the whole frame is stretched to the output size.
    /// </summary>
    public bool CenterCrop { get; init; } = true;

    /// <summary>
    /// When set (with <see cref="CenterCrop"/>), the short side is first resized to this many pixels and the centred
    /// <see cref="Width"/>×<see cref="Height"/> crop is taken from that (torchvision/PyTorchVideo evaluation); when null the
    /// largest centred region of the output's aspect ratio is resized to the output.
    /// </summary>
    public int? ResizeShortSide { get; init; }

    /// <summary>When set (with <see cref="CenterCrop"/>), every frame is first resized to exactly this height × width, then the
    /// centred output crop is taken (torchvision's 128×171 → 112² for the video ResNets); precedes <see cref="ResizeShortSide"/>.</summary>
    public (int Height, int Width)? ResizeTo { get; init; }

    /// <summary>When set, ffmpeg's <c>fps</c> filter resamples the video to this rate (drops or repeats frames).</summary>
    public double? Fps { get; init; }

    /// <summary>When set, stop after this many output frames.</summary>
    public int? MaxFrames { get; init; }

    /// <summary>Local files: start decoding at this time in seconds (ffmpeg input <c>-ss</c>, fast seek).</summary>
    public double? StartSeconds { get; init; }

    /// <summary>Local files: stop at this time in seconds of the input (ffmpeg <c>-t</c> of end − start).</summary>
    public double? EndSeconds { get; init; }

    /// <summary>Raw rgb24 input (<c>-</c> or a stream): frame width.</summary>
    public int? RawWidth { get; init; }

    /// <summary>Raw rgb24 input (<c>-</c> or a stream): frame height.</summary>
    public int? RawHeight { get; init; }

    /// <summary>Raw rgb24 input: frames per second, used for timestamps and the <see cref="Fps"/> filter.</summary>
    public double RawFrameRate { get; init; } = 30;

    /// <summary>Decoded frames buffered ahead of the consumer; the decoder waits when the buffer is full.</summary>
    public int BufferCapacity { get; init; } = 8;

    /// <summary>ffmpeg program to use; null finds it through <see cref="FfmpegLocator"/>.</summary>
    public string? FfmpegPath { get; init; }

    /// <summary>Probe local files with ffprobe first: clear errors before decoding, and a frame rate for timestamps.</summary>
    public bool ProbeLocalFiles { get; init; } = true;

    /// <summary>Options for a square model input of <paramref name="size"/>×<paramref name="size"/> pixels.</summary>
    public static VideoSourceOptions Square(int size) => new() { Width = size, Height = size };

    /// <summary>Options that decode frames the way a model's <paramref name="preprocessing"/> says (size, resize, crop, frame rate).</summary>
    public static VideoSourceOptions For(Models.Preprocessing preprocessing) => new()
    {
        Width = preprocessing.Size, Height = preprocessing.Size, CenterCrop = true,
        ResizeShortSide = preprocessing.ResizeShortSide, ResizeTo = preprocessing.ResizeTo, Fps = preprocessing.Fps,
    };

    /// <summary>Bytes in one output rgb24 frame.</summary>
    public int FrameBytes => checked(Width * Height * 3);

    /// <summary>Throws <see cref="ArgumentException"/> for impossible settings; <paramref name="input"/> decides whether raw sizes are required.</summary>
    public void Validate(VideoInput input)
    {
        if (Width <= 0 || Height <= 0)
            throw new ArgumentException($"The output size must be positive, got {Width}x{Height}.");
        if (ResizeTo is { } to && (to.Height < Height || to.Width < Width))
            throw new ArgumentException($"ResizeTo {to.Width}x{to.Height} is smaller than the {Width}x{Height} crop.");
        if (ResizeShortSide is { } side && side < Math.Max(Width, Height))
            throw new ArgumentException($"ResizeShortSide {side} is smaller than the {Width}x{Height} crop.");
        if (Fps is { } fps && !(fps > 0 && double.IsFinite(fps)))
            throw new ArgumentException($"Fps must be a positive number, got {fps}.");
        if (MaxFrames is < 0)
            throw new ArgumentException($"MaxFrames must not be negative, got {MaxFrames}.");
        if (StartSeconds is < 0 || EndSeconds is { } end && !(end > (StartSeconds ?? 0)))
            throw new ArgumentException($"The time range must satisfy 0 <= start < end, got start {StartSeconds}, end {EndSeconds}.");
        if (BufferCapacity < 1)
            throw new ArgumentException($"BufferCapacity must be at least 1, got {BufferCapacity}.");
        if (input.IsRaw)
        {
            if (RawWidth is not > 0 || RawHeight is not > 0)
                throw new ArgumentException($"Raw rgb24 input from {input} needs RawWidth and RawHeight (the size of each incoming frame).");
            if (!(RawFrameRate > 0 && double.IsFinite(RawFrameRate)))
                throw new ArgumentException($"RawFrameRate must be a positive number, got {RawFrameRate}.");
        }
    }
}
