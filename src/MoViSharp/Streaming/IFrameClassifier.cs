using static TorchSharp.torch;

namespace MoViSharp.Streaming;

/// <summary>Online recognition of one video: push frames as they arrive, read the running top-k.</summary>
public interface IFrameClassifier : IDisposable
{
    IReadOnlyList<string>? Labels { get; }
    int FramesSeen { get; }
    /// <summary>Feeds one RGB frame [3, H, W] in [0, 1]; returns the logits after it.</summary>
    float[] Push(Tensor frame);
    /// <summary>The k most probable classes after the last frame.</summary>
    IReadOnlyList<Prediction> Top(int k);
    void Reset();
}
