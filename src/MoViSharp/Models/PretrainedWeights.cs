namespace MoViSharp.Models;

/// <summary>
/// What is known about a registered model's published weights, beside the model like torchvision's weight enums: where they
/// come from, which label set their logits follow, and the published figures to compare against.
/// </summary>
public sealed record PretrainedWeights
{
    /// <summary>Where the weights come from (project, file name or URL).</summary>
    public required string Source { get; init; }

    /// <summary>The label set of the logits (e.g. <c>kinetics400</c>, <c>kinetics600</c>), see <see cref="Labels.LabelSets"/>.</summary>
    public required string LabelSet { get; init; }

    /// <summary>Published top-1 accuracy in percent on the label set's validation data, with how it was measured.</summary>
    public double? Top1 { get; init; }
    public string? Top1Protocol { get; init; }

    /// <summary>Published parameter count and multiply-adds per clip (GMACs) at the native input, with their source.</summary>
    public long? Parameters { get; init; }
    public double? GigaMultiplyAdds { get; init; }
    public string? FiguresSource { get; init; }
}
