using MoViSharp.Data;

namespace MoViSharp.Training;

/// <summary>One model a training command trains: its name (empty for a single model), clip sampling, folders and seed.</summary>
public sealed record TrainingMember(string Name, FrameSampling Sampling, string OutputDirectory, string? ResumeDirectory, long Seed)
{
    /// <summary>Metadata every checkpoint of this member carries.</summary>
    public IReadOnlyDictionary<string, string>? Metadata => Name.Length == 0 ? null : new Dictionary<string, string> { ["ensemble_member"] = Name };
}

/// <summary>
/// What a training run trains: one model on clips of T frames, or a temporal-ensemble pair (MoViNet paper) — two models of one
/// architecture on half-rate clips one frame apart (frames 0, 2, 4… and 1, 3, 5… of the same T-frame window), written to
/// OUT/even and OUT/odd, with seeds one apart so that they differ.
/// </summary>
public static class TrainingPlan
{
    public static IReadOnlyList<TrainingMember> Members(int frames, int stride, double? fps, string output, string? resume, long seed, bool ensemblePair)
    {
        if (!ensemblePair) return [new TrainingMember("", new FrameSampling(frames, stride, fps), output, resume, seed)];
        if (frames < 2) throw new ArgumentException("A temporal-ensemble pair needs clips of at least 2 frames (each model sees half).");
        return new[] { ("even", 0), ("odd", 1) }
            .Select(m => new TrainingMember(m.Item1, new FrameSampling(frames / 2, 2 * stride, fps, m.Item2), Path.Combine(output, m.Item1),
                resume is null ? null : Path.Combine(resume, m.Item1), seed + m.Item2))
            .ToList();
    }
}
