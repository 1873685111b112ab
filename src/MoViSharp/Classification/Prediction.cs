namespace MoViSharp.Classification;

/// <summary>One class with its probability.</summary>
public sealed record Prediction(int Index, string? Label, float Probability)
{
    public override string ToString() => $"{Label ?? $"class {Index}"} ({Probability:P1})";
}
