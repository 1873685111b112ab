using static TorchSharp.torch;

namespace MoViSharp.Data;

/// <summary>
/// A batch: clips [B·V, 3, T, S, S] (V views per video, consecutive), labels [B] int64, and the dataset indices of the B videos.
/// </summary>
public sealed class ClipBatch(Tensor clips, Tensor labels, int[] sampleIndices, int views) : IDisposable
{
    public Tensor Clips { get; } = clips;
    public Tensor Labels { get; } = labels;
    public IReadOnlyList<int> SampleIndices { get; } = sampleIndices;
    public int Views { get; } = views;
    public int Count => SampleIndices.Count;

    public void Dispose()
    {
        Clips.Dispose();
        Labels.Dispose();
    }
}
