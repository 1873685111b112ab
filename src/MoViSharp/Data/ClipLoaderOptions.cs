namespace MoViSharp.Data;

/// <summary>How <see cref="ClipLoader"/> turns a dataset into batches.</summary>
public sealed record ClipLoaderOptions
{
    public required FrameSampling Sampling { get; init; }
    /// <summary>Square model input size S.</summary>
    public required int Size { get; init; }
    public int BatchSize { get; init; } = 8;
    /// <summary>Training mode: shuffled order, random start frame, random-resized crop (and flip when enabled).</summary>
    public bool Train { get; init; }
    public ClipAugmentation Augmentation { get; init; } = new();
    /// <summary>Evaluation clips per video (evenly spaced in time); their logits are averaged.</summary>
    public int Views { get; init; } = 1;
    /// <summary>Drops the last incomplete batch (training, so every step sees a full batch).</summary>
    public bool DropLast { get; init; }
    public long Seed { get; init; }
    /// <summary>Batches decoded ahead on the background thread (bounded, so memory stays flat).</summary>
    public int PrefetchBatches { get; init; } = 2;
    /// <summary>Keep decoded clips in memory (up to <see cref="CacheBytes"/>) so later epochs skip decoding.</summary>
    public bool Cache { get; init; }
    public long CacheBytes { get; init; } = 2L << 30;
    /// <summary>Videos are decoded to a square of this side (the "min image size"), then cropped to <see cref="Size"/>.</summary>
    public int? VideoDecodeSize { get; init; }

    public int DecodeSize => VideoDecodeSize ?? (int)Math.Round(Size * 1.15);

    /// <summary>
    /// Evaluation of a model with its own recipe: videos are decoded exactly as its preprocessing says (resize, centre crop to its
    /// size, frame rate) and used whole, as <c>classify</c> decodes them; null decodes a centred square and crops it as training does.
    /// </summary>
    public Models.Preprocessing? Preprocessing { get; init; }

    public void Validate()
    {
        Sampling.Validate();
        if (Size < 1) throw new ArgumentException($"The clip size must be positive, got {Size}.");
        if (BatchSize < 1) throw new ArgumentException($"The batch size must be at least 1, got {BatchSize}.");
        if (Views < 1) throw new ArgumentException($"Views must be at least 1, got {Views}.");
        if (PrefetchBatches < 1) throw new ArgumentException($"PrefetchBatches must be at least 1, got {PrefetchBatches}.");
    }
}
