namespace MoViSharp.Weights.Layouts;

/// <summary>What an import from a TFLite file used and set (all counts are checked to be complete before this is returned).</summary>
public sealed record TfliteImportReport(
    string Source,
    int Convolutions,
    int ReZeroScales,
    int WeightConstants,
    int WeightConstantsUsed,
    int ModelEntries,
    int ModelEntriesSet);
