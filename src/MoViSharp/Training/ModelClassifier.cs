using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>A single <see cref="MoViNet"/> as an <see cref="IClipClassifier"/> (causal models give logits after every frame).</summary>
public sealed class ModelClassifier(MoViNet model) : IClipClassifier
{
    public MoViNet Model { get; } = model;
    public int NumClasses => Model.Config.NumClasses;
    public Tensor Logits(Tensor clips) => Model.Forward(clips, null);
    public int FramesSeen(int position, int positions, int frames) => positions == 1 ? frames : position + 1;
}
