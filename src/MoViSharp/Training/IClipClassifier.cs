using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>Something that scores clips: a model or a temporal ensemble. Used by evaluation (and classification) alike.</summary>
public interface IClipClassifier
{
    int NumClasses { get; }

    /// <summary>Logits [N, P, K] for clips [N, 3, T, H, W]: P = 1 for whole-clip models, one per output position for causal ones.</summary>
    Tensor Logits(Tensor clips);

    /// <summary>How many input frames output position <paramref name="position"/> has seen in a clip of <paramref name="frames"/> frames.</summary>
    int FramesSeen(int position, int positions, int frames);
}
