using System.Text.RegularExpressions;

namespace MoViSharp.Weights.Layouts;

/// <summary>Which convolution of a MoViNet a TFLite conv op is, read from its weight's name.</summary>
internal enum TfliteConvKind { Stem, Expansion, Spatial, Temporal, Projection, SkipProject, HeadProject, ClassifierHidden, ClassifierLogits }

/// <summary>
/// The role of one CONV_2D / DEPTHWISE_CONV_2D, parsed from the first <c>;</c>-segment of a constant's name (MLIR joins
/// fused locations with <c>;</c>, and only the first one names the op's own layer), e.g.
/// <c>movinet_classifier/movinet/block2_layer0/bneck/feature/conv2d_temporal/bn_temporal/FusedBatchNormV3</c>.
/// </summary>
internal sealed partial record TfliteConvRole(TfliteConvKind Kind, int Block, int Layer)
{
    [GeneratedRegex(@"^(?:movinet_classifier/)?(?:movinet/)?(?:block(?<b>\d+)_layer(?<l>\d+)/bneck/(?<part>expansion|feature/conv2d_temporal|feature/conv2d|projection|skip/skip_project)|(?<part>stem/stem|head/project|classifier_head/head|classifier_head/classifier))/")]
    private static partial Regex Pattern();

    public static string FirstSegment(string name) => name.Split(';')[0];

    /// <summary>The role, or null when the name is none of the MoViNet convolutions.</summary>
    public static TfliteConvRole? Parse(string tensorName)
    {
        var m = Pattern().Match(FirstSegment(tensorName));
        if (!m.Success) return null;
        // The numbers come from the file: one too large for an int names no layer of any model.
        int block = -1, layer = -1;
        if ((m.Groups["b"].Success && !int.TryParse(m.Groups["b"].Value, out block)) || (m.Groups["l"].Success && !int.TryParse(m.Groups["l"].Value, out layer)))
            return null;
        var kind = m.Groups["part"].Value switch
        {
            "expansion" => TfliteConvKind.Expansion,
            "feature/conv2d" => TfliteConvKind.Spatial,
            "feature/conv2d_temporal" => TfliteConvKind.Temporal,
            "projection" => TfliteConvKind.Projection,
            "skip/skip_project" => TfliteConvKind.SkipProject,
            "stem/stem" => TfliteConvKind.Stem,
            "head/project" => TfliteConvKind.HeadProject,
            "classifier_head/head" => TfliteConvKind.ClassifierHidden,
            _ => TfliteConvKind.ClassifierLogits,
        };
        return new TfliteConvRole(kind, block, layer);
    }

    public override string ToString() => Block >= 0 ? $"b{Block}_l{Layer} {Kind}" : Kind.ToString();
}
