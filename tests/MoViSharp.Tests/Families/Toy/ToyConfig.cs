using MoViSharp.Models;

namespace MoViSharp.Tests.Families.Toy;

/// <summary>A made-up family's knobs as data: the proof that a family is assembled from the shared parts alone.</summary>
public sealed record ToyConfig : ModelConfig
{
    public const string FamilyName = "toy";

    public override string Family => FamilyName;
    public int Width { get; init; } = 8;
    public int Blocks { get; init; } = 2;
    public int TemporalKernel { get; init; } = 3;
    public int Frames { get; init; } = 8;
    public int Size { get; init; } = 32;

    public override Preprocessing Preprocessing => new() { Frames = Frames, Size = Size, Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] };

    public override ModelConfig ForTraining(int frames, int size, double? dropout = null, double? stochasticDepth = null) =>
        this with { Frames = frames, Size = size };
}
